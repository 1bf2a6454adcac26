package org.mvfaedge.server;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Not part of the default test run (the name does not match surefire's patterns): prints the load
 * figures on the fixture package. {@code mvn -B -o -q -pl edge-server -am test -Dtest=LoadFigures
 * -Dsurefire.failIfNoSpecifiedTests=false [-Dmvfa.load.requests=200] [-Dmvfa.load.slots=N]
 * [-Dmvfa.load.package=<package folder>] [-Dmvfa.load.image=<file>]}
 */
class LoadFigures {
    @Test
    void printFigures() throws Exception {
        String pkgProp = System.getProperty("mvfa.load.package");
        Path pkg = pkgProp != null ? Path.of(pkgProp) : TestPackages.brainFew();
        String imgProp = System.getProperty("mvfa.load.image");
        byte[] image = Files.readAllBytes(imgProp != null ? Path.of(imgProp) : TestPackages.image(0));
        print(pkg, image, Integer.getInteger("mvfa.load.requests", 200));
    }

    /** Serves {@code pkg} on loopback and prints the figures at 1, 4 and 16 clients. */
    static void print(Path pkg, byte[] image, int requests) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        int slots = Integer.getInteger("mvfa.load.slots", cores);
        try (TestServer s = TestServer.start(List.of(pkg), Map.of("mvfa.limits.inference-slots", slots,
                "mvfa.limits.queue-size", 32, "mvfa.limits.queue-timeout", "300s", "mvfa.limits.request-deadline", "600s"))) {
            URI base = URI.create("http://127.0.0.1:" + s.server.getPort());
            // warm-up (JIT, connection pool); not counted
            LoadTool.run(base, TestServer.USER_KEY, null, image, 2, Math.min(20, requests), Duration.ofSeconds(300));
            System.out.printf("load figures: %d cores, %d inference slots, wait line 32, package %s, image %d bytes,"
                    + " %d requests per level%n", cores, slots, pkg.getFileName(), image.length, requests);
            for (int clients : new int[] {1, 4, 16}) {
                System.out.println("load figures: " + LoadTool.run(base, TestServer.USER_KEY, null, image, clients, requests,
                        Duration.ofSeconds(300)));
            }
        }
    }
}
