package org.mvfaedge.server.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.Detection;
import org.mvfaedge.sdk.DetectorOptions;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.server.TestPackages;

/**
 * The packaged distribution (mvfa-edge-&lt;version&gt;-linux[-gpu].tar.gz), as an integrator installs it:
 * unpacked into an empty folder and run through {@code bin/mvfa-edge} with a PATH that holds java and
 * nothing else (no Maven, no source tree), against a real package exported from the golden fixture. The
 * SDK run in this JVM is the truth for scores and maps. Runs in the integration-test phase (after
 * package), so {@code mvn verify} tests the tarball it just built.
 *
 * <p>Also here: the tarball holds no DJL or PyTorch and stays under 120 MB (CPU flavour); two ONNX Runtime
 * jars make both {@code bin/mvfa-edge} and the Java entry point refuse with one line; the systemd unit passes
 * {@code systemd-analyze verify}; and the same tarball's {@code predict} under an emulated arm64 Java
 * ({@code qemu-aarch64-static} and Debian's {@code openjdk-17-jre-headless:arm64}) gives the x86 scores and
 * maps. A missing tool skips with a message, or fails under CI=true.
 */
class EdgeDistributionIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ARM64_JAVA = Path.of("/usr/lib/jvm/java-17-openjdk-arm64/bin/java");
    private static final Path QEMU = Path.of("/usr/bin/qemu-aarch64-static");

    @TempDir
    static Path tmp;
    static Path tarball;
    static Path home;
    /** A folder holding only a link to java: the PATH of every run. */
    static Path javaOnly;
    static Path pkg;
    static Path empty;

    @BeforeAll
    static void unpack() throws Exception {
        tarball = Path.of(System.getProperty("mvfa.dist.tarball", "target/none.tar.gz"));
        assertTrue(Files.isRegularFile(tarball), "the distribution " + tarball + " is missing: this test runs after package");
        pkg = TestPackages.brainFew(); // skips with a message where ../shared is absent
        Path into = Files.createDirectories(tmp.resolve("unpacked"));
        run(List.of("tar", "xzf", tarball.toString(), "-C", into.toString()), into, Map.of(), 120);
        try (Stream<Path> s = Files.list(into)) {
            List<Path> top = s.toList();
            assertEquals(1, top.size(), "one top folder: " + top);
            home = top.get(0);
        }
        assertTrue(home.getFileName().toString().matches("mvfa-edge-[0-9][^/]*"), home.toString());
        javaOnly = Files.createDirectories(tmp.resolve("java-only"));
        Files.createSymbolicLink(javaOnly.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
        empty = Files.createDirectories(tmp.resolve("empty-cwd"));
    }

    record Result(int rc, String out, String err) {
    }

    /** Runs a command with exactly the environment given (plus nothing inherited but HOME and LANG). */
    static Result run(List<String> cmd, Path cwd, Map<String, String> env, int timeoutS) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        Map<String, String> e = pb.environment();
        String keepHome = e.get("HOME");
        e.clear();
        if (keepHome != null) {
            e.put("HOME", keepHome);
        }
        e.put("PATH", env.getOrDefault("PATH", System.getenv("PATH")));
        env.forEach(e::put);
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("timed out after " + timeoutS + " s: " + cmd + "\n" + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static Map<String, String> javaOnlyPath() {
        return Map.of("PATH", javaOnly.toString());
    }

    @Test
    void theTarballHoldsTheEdgeSideOnly() throws Exception {
        Result list = run(List.of("tar", "tzf", tarball.toString()), tmp, Map.of(), 60);
        assertEquals(0, list.rc(), list.err());
        List<String> entries = list.out().lines().toList();
        List<String> training = entries.stream().filter(n -> n.toLowerCase(java.util.Locale.ROOT).matches(".*(djl|torch).*"))
                .toList();
        assertEquals(List.of(), training, "no DJL or PyTorch file in the distribution");
        String top = home.getFileName() + "/";
        for (String f : List.of("bin/mvfa-edge", "conf/application.yml", "systemd/mvfa-edge.service", "README.md")) {
            assertTrue(entries.contains(top + f), "missing " + f);
        }
        assertTrue(Files.isExecutable(home.resolve("bin/mvfa-edge")));
        String flavour = System.getProperty("mvfa.dist.flavour", "cpu");
        List<String> ort = entries.stream().filter(n -> n.matches(".*/lib/onnxruntime(_gpu)?-[0-9].*\\.jar")).toList();
        assertEquals(1, ort.size(), "exactly one ONNX Runtime jar: " + ort);
        assertEquals(flavour.equals("gpu"), ort.get(0).contains("onnxruntime_gpu-"), ort.get(0));
        long size = Files.size(tarball);
        System.out.printf("distribution %s: %.1f MB, %d entries, ONNX Runtime %s%n", tarball.getFileName(), size / 1e6,
                entries.size(), ort.get(0).substring(ort.get(0).lastIndexOf('/') + 1));
        if (flavour.equals("cpu")) {
            assertTrue(size < 120_000_000L, "the CPU tarball is " + size + " bytes, over 120 MB");
        }
    }

    /** From an empty folder, with only java on the PATH: the scores and maps of the SDK run in this JVM. */
    @Test
    void predictFromTheUnpackedTarballGivesTheSdksScoresAndMaps() throws Exception {
        Result which = run(List.of("/bin/bash", "-c", "command -v mvn || echo none"), empty, javaOnlyPath(), 30);
        assertEquals("none", which.out().strip(), "mvn must not be reachable in this run");
        List<Path> images = List.of(Fixtures.tinyA().resolve("images/img0.png"), Fixtures.tinyA().resolve("images/img1.png"));
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/mvfa-edge").toString(), "predict", "--model",
                pkg.toString(), "--json", "--map"));
        images.forEach(i -> cmd.add(i.toString()));
        Result r = run(cmd, empty, javaOnlyPath(), 300);
        assertEquals(0, r.rc(), r.err());
        assertFalse(r.err().contains("TensorRT") || r.err().contains("TENSORRT") || r.err().contains("CUDA"),
                "the CPU build says nothing about GPU providers: " + r.err());
        compareWithSdk("x86-64 tarball", r.out(), images, 1e-5);
        try (Stream<Path> s = Files.list(empty)) {
            assertEquals(0, s.count(), "predict writes nothing into the working folder");
        }
    }

    /** {@code serve} from the unpacked tarball, with a key: readiness 200, /v1/detect 200; resident memory printed. */
    @Test
    void serveFromTheUnpackedTarballAnswersReadinessAndDetect() throws Exception {
        String key = "dist-" + UUID.randomUUID();
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        int port;
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/mvfa-edge").toString(), "serve", "--model",
                "brain=" + pkg, "--port", Integer.toString(port)).directory(empty.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("MVFA_") || k.startsWith("MICRONAUT_"));
        pb.environment().put("PATH", javaOnly.toString());
        pb.environment().put("MVFA_API_KEYS", hash);
        Path log = tmp.resolve("serve.log");
        Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            URI base = URI.create("http://127.0.0.1:" + port);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            int ready = 0;
            while (ready != 200 && System.nanoTime() < deadline) {
                assertTrue(p.isAlive(), "the server stopped:\n" + Files.readString(log));
                try {
                    ready = http.send(HttpRequest.newBuilder(base.resolve("/health/readiness")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (IOException notYet) {
                    // still starting
                }
                Thread.sleep(250);
            }
            assertEquals(200, ready, "readiness:\n" + Files.readString(log));
            HttpResponse<String> d = http.send(HttpRequest.newBuilder(base.resolve("/v1/detect?model=brain"))
                    .header("X-API-Key", key).header("Content-Type", "image/png")
                    .POST(HttpRequest.BodyPublishers.ofFile(Fixtures.tinyA().resolve("images/img0.png"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, d.statusCode(), d.body());
            try (AnomalyDetector sdk = AnomalyDetector.open(pkg, DetectorOptions.defaults())) {
                assertEquals(sdk.detect(Fixtures.tinyA().resolve("images/img0.png")).score(),
                        JSON.readTree(d.body()).get("score").doubleValue(), 1e-5);
            }
            HttpResponse<String> noKey = http.send(HttpRequest.newBuilder(base.resolve("/v1/detect"))
                    .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofFile(
                            Fixtures.tinyA().resolve("images/img0.png"))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, noKey.statusCode(), noKey.body());
            System.out.printf("mvfa-edge serve (fixture package, after warm-up and one detection): resident %d MB, pid %d%n",
                    residentKb(p.pid()) / 1024, p.pid());
        } finally {
            p.destroy();
            if (!p.waitFor(45, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** Two ONNX Runtime jars in lib/: bin/mvfa-edge refuses, and so does the Java entry point behind it. */
    @Test
    void twoOnnxRuntimeJarsMakePredictExit2WithOneLineNamingBoth() throws Exception {
        Path copy = Files.createDirectories(tmp.resolve("two-runtimes/mvfa-edge"));
        Files.createDirectories(copy.resolve("bin"));
        Files.copy(home.resolve("bin/mvfa-edge"), copy.resolve("bin/mvfa-edge"));
        Path lib = Files.createDirectories(copy.resolve("lib"));
        Path ortJar = null;
        try (Stream<Path> s = Files.list(home.resolve("lib"))) {
            for (Path j : s.toList()) {
                Files.createSymbolicLink(lib.resolve(j.getFileName()), j);
                if (j.getFileName().toString().matches("onnxruntime(_gpu)?-[0-9].*\\.jar")) {
                    ortJar = j;
                }
            }
        }
        assertTrue(ortJar != null);
        // The other flavour's jar, as a stale copy-dependencies leaves it: a second real file with ONNX Runtime's
        // classes (a copy of this one under the other flavour's name; a link to the same file would be one jar).
        String other = ortJar.getFileName().toString().startsWith("onnxruntime_gpu") ? "onnxruntime-1.23.2.jar"
                : "onnxruntime_gpu-1.23.2.jar";
        Files.copy(ortJar, lib.resolve(other));
        List<String> args = List.of("predict", "--model", pkg.toString(), Fixtures.tinyA().resolve("images/img0.png").toString());

        List<String> viaScript = new ArrayList<>(List.of(copy.resolve("bin/mvfa-edge").toString()));
        viaScript.addAll(args);
        Result r = run(viaScript, empty, javaOnlyPath(), 120);
        assertEquals(2, r.rc(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(ortJar.getFileName().toString()) && r.err().contains(other), r.err());
        assertEquals("", r.out());

        List<String> viaJava = new ArrayList<>(List.of(javaOnly.resolve("java").toString(), "-cp", lib + "/*", "org.mvfaedge.server.cli.EdgeMain"));
        viaJava.addAll(args);
        Result j = run(viaJava, empty, javaOnlyPath(), 120);
        assertEquals(2, j.rc(), j.out() + j.err());
        assertEquals(1, j.err().lines().count(), j.err());
        assertTrue(j.err().contains(ortJar.getFileName().toString()) && j.err().contains(other), j.err());
    }

    /**
     * A GPU distribution whose lib/ got ONNX Runtime's CPU jar (what issue 18's stale lib folder produced): doctor
     * must say that this GPU tarball's ONNX Runtime offers no CUDA provider, and exit 1. Made from the CPU tarball
     * by marking its build information as gpu, in a copy of the edge server's jar.
     */
    @Test
    void doctorFlagsAGpuDistributionWhoseOnnxRuntimeHasNoCuda() throws Exception {
        assumeTrue("cpu".equals(System.getProperty("mvfa.dist.flavour", "cpu")), "needs the CPU tarball's jars");
        Path copy = Files.createDirectories(tmp.resolve("gpu-without-cuda/mvfa-edge"));
        Files.createDirectories(copy.resolve("bin"));
        Files.copy(home.resolve("bin/mvfa-edge"), copy.resolve("bin/mvfa-edge"));
        Path lib = Files.createDirectories(copy.resolve("lib"));
        try (Stream<Path> s = Files.list(home.resolve("lib"))) {
            for (Path j : s.toList()) {
                if (j.getFileName().toString().startsWith("edge-server-")) {
                    Path jar = Files.copy(j, lib.resolve(j.getFileName()));
                    try (java.nio.file.FileSystem zip = java.nio.file.FileSystems.newFileSystem(jar)) {
                        Path props = zip.getPath("/mvfa-edge-build.properties");
                        Files.writeString(props, Files.readString(props).replace("flavour=cpu", "flavour=gpu")
                                .replace("onnxruntime.artifact=onnxruntime\n", "onnxruntime.artifact=onnxruntime_gpu\n"));
                    }
                } else {
                    Files.createSymbolicLink(lib.resolve(j.getFileName()), j);
                }
            }
        }
        Result r = run(List.of(copy.resolve("bin/mvfa-edge").toString(), "doctor"), empty, javaOnlyPath(), 120);
        assertEquals(1, r.rc(), r.out() + r.err());
        assertTrue(r.out().startsWith("mvfa-edge " ) && r.out().contains(", gpu build ("), r.out());
        assertTrue(r.out().contains("PROBLEM: this is the GPU distribution, but the ONNX Runtime loaded (onnxruntime) "
                + "offers no CUDA provider"), r.out());
    }

    @Test
    void theSystemdUnitVerifies() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        requireTool(Files.isExecutable(analyze), "systemd-analyze (package systemd) is not installed");
        String unit = Files.readString(home.resolve("systemd/mvfa-edge.service"));
        for (String must : List.of("User=mvfa-edge", "NoNewPrivileges=true", "ProtectSystem=strict", "MemoryMax=",
                "Restart=on-failure", "ReadOnlyPaths=-/var/lib/mvfa-edge/models", "ExecStart=/opt/mvfa-edge/bin/mvfa-edge serve")) {
            assertTrue(unit.contains(must), "the unit lacks " + must);
        }
        // Verified where this test unpacked it (the unit names its install path, /opt/mvfa-edge).
        Path units = Files.createDirectories(tmp.resolve("units"));
        Path copy = units.resolve("mvfa-edge.service");
        Files.writeString(copy, unit.replace("/opt/mvfa-edge", home.toString()));
        Result r = run(List.of(analyze.toString(), "verify", copy.toString()), units, Map.of(), 120);
        String report = (r.out() + r.err()).lines().filter(l -> l.contains("mvfa-edge.service")).reduce("", (a, b) -> a + b + "\n");
        assertEquals(0, r.rc(), r.out() + r.err());
        assertEquals("", report, "systemd-analyze verify complains about the unit");
    }

    /** The same tarball under an emulated arm64 Java: aarch64, ONNX Runtime's arm64 natives, the x86 results (1e-4). */
    @Test
    void predictUnderEmulatedArm64JavaGivesTheX86ScoresAndMaps() throws Exception {
        requireTool(Files.isExecutable(QEMU), QEMU + " is missing (apt-get install qemu-user-static)");
        requireTool(Files.isExecutable(ARM64_JAVA), ARM64_JAVA + " is missing (dpkg --add-architecture arm64; "
                + "apt-get install openjdk-17-jre-headless:arm64)");
        // A JAVA_HOME whose java runs Debian's arm64 JVM under qemu's user-mode emulation.
        Path javaHome = Files.createDirectories(tmp.resolve("arm64-java-home/bin"));
        Path java = javaHome.resolve("java");
        Files.writeString(java, "#!/bin/bash\nexec " + QEMU + " " + ARM64_JAVA + " \"$@\"\n");
        assertTrue(java.toFile().setExecutable(true));
        Map<String, String> env = Map.of("PATH", javaOnly.toString(), "JAVA_HOME", javaHome.getParent().toString());

        Result v = run(List.of(home.resolve("bin/mvfa-edge").toString(), "version"), empty, env, 600);
        assertEquals(0, v.rc(), v.err());
        assertTrue(v.out().contains("aarch64"), "not an arm64 JVM: " + v.out());

        List<Path> images = List.of(Fixtures.tinyA().resolve("images/img0.png"));
        long t0 = System.nanoTime();
        Result r = run(List.of(home.resolve("bin/mvfa-edge").toString(), "predict", "--model", pkg.toString(), "--json",
                "--map", images.get(0).toString()), empty, env, 900);
        assertEquals(0, r.rc(), r.err());
        System.out.printf("aarch64 (emulated) predict: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        compareWithSdk("aarch64 (emulated)", r.out(), images, 1e-4);
    }

    /** predict's JSON lines against the SDK in this JVM: score and every map value within {@code tol}. */
    private static void compareWithSdk(String what, String out, List<Path> images, double tol) throws Exception {
        List<String> lines = out.lines().filter(l -> l.startsWith("{")).toList();
        assertEquals(images.size(), lines.size(), out);
        double worstScore = 0;
        double worstMap = 0;
        try (AnomalyDetector sdk = AnomalyDetector.open(pkg, DetectorOptions.defaults())) {
            for (int i = 0; i < images.size(); i++) {
                JsonNode j = JSON.readTree(lines.get(i));
                Detection want = sdk.detect(images.get(i));
                worstScore = Math.max(worstScore, Math.abs(want.score() - j.get("score").doubleValue()));
                assertEquals(want.anomalous() ? "anomalous" : "normal", j.get("decision").asText());
                assertEquals(want.width() * want.height(), j.get("map").size());
                for (int k = 0; k < want.map().length; k++) {
                    worstMap = Math.max(worstMap, Math.abs(want.map()[k] - j.get("map").get(k).doubleValue()));
                }
            }
        }
        System.out.printf("%s vs the SDK in this JVM: largest score difference %.3g, largest map difference %.3g%n",
                what, worstScore, worstMap);
        assertTrue(worstScore <= tol, what + ": score differs by " + worstScore);
        assertTrue(worstMap <= tol, what + ": map differs by " + worstMap);
    }

    private static long residentKb(long pid) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    private static void requireTool(boolean present, String why) {
        if (!present) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but " + why);
            }
            assumeTrue(false, why + ": skipping");
        }
    }
}
