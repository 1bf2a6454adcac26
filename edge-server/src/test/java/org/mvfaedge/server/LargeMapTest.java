package org.mvfaedge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.server.security.ApiKeys;

/**
 * Finding 3 (medium) of the server's attack: a 35 KB all-zero 6000 x 6000 PNG with {@code map=array} made a
 * 336 MB response in 52 s and grew the server by 1.8 GB. The server runs here in a process of its own (as in
 * production, 1 GB heap), so its resident memory is its own: the answer must come within the request deadline,
 * carry a map of at most mvfa.limits.max-map-pixels with its scale, and grow the resident memory by less than
 * 200 MB. Figures are printed.
 */
class LargeMapTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SIDE = 6000;

    @Test
    void finding3LargeMapResponseIsBoundedInSizeTimeAndMemory(@TempDir Path tmp) throws Exception {
        byte[] huge = allZeroPng(SIDE, SIDE);
        byte[] small = Files.readAllBytes(TestPackages.image(0));
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", cp, "-Dmicronaut.server.port=" + port, "-Dmicronaut.server.host=127.0.0.1",
                "-Dmvfa.models=" + TestPackages.brainFew(), "-Dmvfa.api-keys=" + ApiKeys.sha256Hex(TestServer.USER_KEY),
                "-Dmvfa.providers=CPU", "org.mvfaedge.server.Application"));
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("server.log").toFile())
                .start();
        try {
            waitReady(port, server, tmp.resolve("server.log"));
            Map<String, String> headers = Map.of("X-API-Key", TestServer.USER_KEY, "Content-Type", "image/png");
            for (int i = 0; i < 3; i++) { // warm: the same path on a small image
                assertEquals(200, RawHttp.exchange(port, null, "POST", "/v1/detect?map=array&overlay=true", headers, small)
                        .status());
            }
            long before = rssKb(server.pid());
            long t0 = System.nanoTime();
            RawHttp.Reply r = RawHttp.exchange(port, null, "POST", "/v1/detect?map=array", headers, huge);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(500);
            long after = rssKb(server.pid());
            long peak = hwmKb(server.pid());
            assertEquals(200, r.status(), r.text().length() > 500 ? r.text().substring(0, 500) : r.text());
            JsonNode j = JSON.readTree(r.body());
            JsonNode map = j.get("map");
            long mapPixels = (long) map.get("width").asInt() * map.get("height").asInt();
            System.out.printf("finding 3, %d x %d all-zero PNG (%d bytes) with map=array: %d in %.2f s, response %d bytes,"
                    + " map %d x %d (scale %.4f), resident memory %d -> %d MB (+%d MB; peak %d MB)%n", SIDE, SIDE, huge.length,
                    r.status(), seconds, r.body().length, map.get("width").asInt(), map.get("height").asInt(),
                    map.get("scale").asDouble(), before / 1024, after / 1024, (after - before) / 1024, peak / 1024);
            assertEquals(SIDE, j.get("width").asInt());
            assertTrue(mapPixels <= 1L << 20, "map of " + mapPixels + " pixels over the default max-map-pixels");
            assertEquals(mapPixels, map.get("values").size());
            assertEquals((double) map.get("width").asInt() / SIDE, map.get("scale").asDouble(), 1e-9);
            assertTrue(seconds < 30, "answered within the 30 s request deadline: " + seconds);
            assertTrue(r.body().length < 20_000_000, "response size " + r.body().length);
            assertTrue(after - before < 200 * 1024, "resident memory grew by " + (after - before) / 1024 + " MB");
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    static byte[] allZeroPng(int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static void waitReady(int port, Process server, Path log) throws Exception {
        long end = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < end) {
            if (!server.isAlive()) {
                throw new AssertionError("server exited: " + Files.readString(log));
            }
            try {
                if (RawHttp.exchange(port, null, "GET", "/health/readiness", Map.of(), null).status() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("server not ready: " + Files.readString(log));
    }

    private static long rssKb(long pid) throws IOException {
        return statusKb(pid, "VmRSS:");
    }

    private static long hwmKb(long pid) throws IOException {
        return statusKb(pid, "VmHWM:");
    }

    private static long statusKb(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException(field + " not in /proc/" + pid + "/status");
    }
}
