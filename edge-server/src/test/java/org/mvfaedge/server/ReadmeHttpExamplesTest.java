package org.mvfaedge.server;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the HTTP examples of the documentation exactly as printed, so the docs cannot drift from the
 * product: the fenced bash blocks of README.md's "HTTP API (edge-server)" section and of
 * edge-server/README.md ("Start", "Call it" and any block with curl or ./mvfa serve). For each document
 * its {@code export} lines and its {@code ./mvfa serve} line run in one bash process (so the exported
 * keys reach the server the way a reader's shell passes them), then every {@code curl} line runs through
 * bash against it and its answer is checked. Beyond those sections, every {@code ./mvfa serve} line in a bash
 * block of README.md, docs/DEMO.md and edge-server/README.md is started once and must serve a detection
 * ({@link #everyPrintedServeLineStarts}).
 *
 * <p>The one change made to the printed text: the port 8080 becomes a free loopback port (a line with no
 * port gets it through MVFA_PORT). The workspace
 * is laid out as the commands expect (onnx/Brain-few-shot, onnx/Chest-few-shot, scan.png and a stand-in
 * ./mvfa). Skips where ../shared or bash, curl, sha256sum or cut is missing, except under CI=true, where a
 * missing tool is a failure.
 */
class ReadmeHttpExamplesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern URL = Pattern.compile("https?://[^'\"\\s]+");

    /** Keys the examples read from the environment; random so nothing depends on their value. */
    private static final Map<String, String> KEYS = Map.of("SCANNER_KEY", "scanner-" + UUID.randomUUID(),
            "ADMIN_KEY", "admin-" + UUID.randomUUID());

    @TempDir
    static Path workspace;
    private static boolean prepared;
    /** Servers by their setup script: two documents printing the same start share one server. */
    private static final Map<String, Server> SERVERS = new LinkedHashMap<>();

    private record Server(Process process, int port) {
    }

    /** The commands of one document: setup (export and ./mvfa serve lines, in order) and the curl calls. */
    private record Example(String doc, List<String> setup, List<String> calls) {
    }

    /** The documents whose bash blocks' {@code ./mvfa serve} lines must each start a working server. */
    private static final List<String> SERVE_DOCS = List.of("README.md", "docs/DEMO.md", "edge-server/README.md");

    @Test
    void rootReadmeHttpApiSection() throws Exception {
        runExamples(rootReadmeHttp());
    }

    @Test
    void edgeServerReadme() throws Exception {
        runExamples(edgeServerHttp());
    }

    /**
     * Every {@code ./mvfa serve} line of a bash block in {@link #SERVE_DOCS} starts at least once: those the two
     * tests above run are counted as run; each other one is started on its own (keys exported by the lines
     * of README.md's HTTP section, or no key variable at all for a line with --insecure-no-auth), must
     * become ready and answer one POST /v1/detect with a numeric score, and is then stopped.
     */
    @Test
    void everyPrintedServeLineStarts() throws Exception {
        Set<String> runAbove = new HashSet<>();
        for (Example ex : List.of(rootReadmeHttp(), edgeServerHttp())) {
            ex.setup().stream().filter(ReadmeHttpExamplesTest::isServe).forEach(runAbove::add);
        }
        List<String> keyExports = rootReadmeHttp().setup().stream().filter(c -> c.startsWith("export ")).toList();
        assertFalse(keyExports.isEmpty(), "README.md: no export lines in the HTTP section to configure keys with");

        Map<String, String> toStart = new LinkedHashMap<>(); // line -> the first document printing it
        for (String doc : SERVE_DOCS) {
            List<String> lines = new ArrayList<>();
            for (Block b : bashBlocks(repositoryRoot().resolve(doc))) {
                commands(b.text()).stream().filter(ReadmeHttpExamplesTest::isServe).forEach(lines::add);
            }
            // Deleting or renaming the serve examples must not make this test pass vacuously.
            assertFalse(lines.isEmpty(), doc + ": no `./mvfa serve` line in any bash block");
            for (String line : lines) {
                if (runAbove.contains(line)) {
                    System.out.printf("%s: %s -> run by the HTTP examples%n", doc, line);
                } else {
                    toStart.putIfAbsent(line, doc);
                }
            }
        }
        prepareWorkspace();
        List<Executable> checks = new ArrayList<>();
        toStart.forEach((line, doc) -> checks.add(() -> startAndDetect(doc, line, keyExports)));
        assertAll("./mvfa serve lines", checks.stream());
    }

    @AfterAll
    static void stopServers() {
        SERVERS.values().forEach(s -> stop(s.process));
        SERVERS.clear();
    }

    // ---- reading the examples ----

    private static Example rootReadmeHttp() throws IOException {
        return examples("README.md", b -> b.chapter().equals("## HTTP API (edge-server)"));
    }

    private static Example edgeServerHttp() throws IOException {
        return examples("edge-server/README.md", b -> b.section().equals("### Start")
                || b.section().equals("### Call it") || b.text().contains("curl ") || b.text().contains("./mvfa serve"));
    }

    private static boolean isServe(String cmd) {
        return cmd.contains("./mvfa serve");
    }

    /** A fenced bash block with the headings it sits under. */
    private record Block(String chapter, String section, String text) {
    }

    /** The repository root: surefire runs with the module folder as working directory. */
    private static Path repositoryRoot() {
        Path root = Path.of("").toAbsolutePath().getParent();
        assertTrue(Files.isRegularFile(root.resolve("edge-server/README.md")), "not the repository root: " + root);
        return root;
    }

    private static Example examples(String doc, Predicate<Block> wanted) throws IOException {
        List<String> setup = new ArrayList<>();
        List<String> calls = new ArrayList<>();
        for (Block b : bashBlocks(repositoryRoot().resolve(doc))) {
            if (!wanted.test(b)) {
                continue;
            }
            for (String cmd : commands(b.text())) {
                if (cmd.startsWith("export ") || cmd.startsWith("./mvfa serve ")) {
                    setup.add(cmd);
                } else if (cmd.startsWith("curl ")) {
                    calls.add(cmd);
                } else {
                    fail(doc + ": the test does not know how to run this example line; teach it: " + cmd);
                }
            }
        }
        // Deleting or renaming the examples must not make this test pass vacuously.
        assertEquals(1, setup.stream().filter(c -> c.startsWith("./mvfa serve ")).count(),
                doc + ": expected exactly one `./mvfa serve` example, found setup lines " + setup);
        assertFalse(calls.isEmpty(), doc + ": no curl example found");
        return new Example(doc, setup, calls);
    }

    private static List<Block> bashBlocks(Path md) throws IOException {
        List<Block> blocks = new ArrayList<>();
        String chapter = "";
        String section = "";
        StringBuilder block = null;
        for (String line : Files.readAllLines(md, StandardCharsets.UTF_8)) {
            if (block != null) {
                if (line.strip().equals("```")) {
                    blocks.add(new Block(chapter, section, block.toString()));
                    block = null;
                } else {
                    block.append(line).append('\n');
                }
            } else if (line.strip().equals("```bash")) {
                block = new StringBuilder();
            } else if (line.startsWith("#")) {
                section = line.strip();
                if (line.startsWith("## ")) {
                    chapter = section;
                }
            }
        }
        return blocks;
    }

    /** The block's commands: `\` continuations joined, comments and blank lines dropped. */
    static List<String> commands(String block) {
        List<String> out = new ArrayList<>();
        StringBuilder cmd = new StringBuilder();
        for (String raw : block.split("\n")) {
            String line = stripComment(raw).strip();
            boolean continued = line.endsWith("\\");
            cmd.append(continued ? line.substring(0, line.length() - 1).strip() : line).append(continued ? " " : "");
            if (!continued) {
                if (!cmd.isEmpty()) {
                    out.add(cmd.toString().strip());
                }
                cmd.setLength(0);
            }
        }
        return out;
    }

    /** Drops a trailing comment as bash would: a word starting with # outside quotes. */
    static String stripComment(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    // ---- running them ----

    private static void runExamples(Example ex) throws Exception {
        prepareWorkspace();
        Server server = server(ex);
        List<Executable> checks = new ArrayList<>();
        for (String printed : ex.calls()) {
            String cmd = withPort(printed, server.port());
            checks.add(() -> {
                long t0 = System.nanoTime();
                Process p = bash(cmd).redirectOutput(workspace.resolve("curl.out").toFile())
                        .redirectError(workspace.resolve("curl.err").toFile()).start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    stop(p);
                    fail(ex.doc() + ": timed out: " + printed);
                }
                String body = Files.readString(workspace.resolve("curl.out"));
                assertEquals(0, p.exitValue(), ex.doc() + ": curl failed: " + printed + "\n"
                        + Files.readString(workspace.resolve("curl.err")));
                String summary = check(printed, body, ex.doc());
                System.out.printf("%s: %s -> %s (%d ms)%n", ex.doc(), printed, summary, (System.nanoTime() - t0) / 1_000_000);
            });
        }
        assertAll(ex.doc() + " examples", checks.stream());
    }

    /** Checks one answer against what the example asks for; returns a one-line summary (no image content). */
    private static String check(String printed, String body, String doc) throws IOException {
        Matcher m = URL.matcher(printed);
        assertTrue(m.find(), doc + ": no URL in " + printed);
        URI url = URI.create(m.group());
        Map<String, String> query = query(url);
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError(doc + ": not JSON from " + printed + ": " + clip(body), e);
        }
        String where = doc + ": " + printed + " answered " + describe(json) + "\n";
        if (json.path("status").isInt() && json.has("title")) {
            fail(where + "an application/problem+json error, not the documented answer");
        }
        switch (url.getPath()) {
            case "/v1/detect" -> {
                assertTrue(json.path("score").isNumber(), where + "numeric score");
                assertTrue(Set.of("anomalous", "normal").contains(json.path("decision").asText()), where + "decision");
                if (query.containsKey("model")) {
                    assertEquals(query.get("model"), json.path("model").path("id").asText(), where + "model.id");
                }
                String map = query.getOrDefault("map", "none");
                JsonNode mapNode = json.path("map");
                if (map.equals("png")) {
                    assertEquals("png", mapNode.path("encoding").asText(), where + "map.encoding");
                    assertIsPng(mapNode.path("png").asText(), where + "map.png");
                } else if (map.equals("array")) {
                    int n = json.path("width").asInt() * json.path("height").asInt();
                    assertTrue(n > 0 && mapNode.path("values").isArray(), where + "map.values");
                    assertEquals(n, mapNode.path("values").size(), where + "map.values has width x height values");
                }
                if ("true".equals(query.get("overlay"))) {
                    assertEquals("png", json.path("overlay").path("encoding").asText(), where + "overlay.encoding");
                    assertIsPng(json.path("overlay").path("png").asText(), where + "overlay.png");
                }
                return "score " + json.path("score").asText() + ", " + json.path("decision").asText() + ", model "
                        + json.path("model").path("id").asText() + (mapNode.isMissingNode() ? "" : ", map " + map)
                        + (json.has("overlay") ? ", overlay" : "");
            }
            case "/health/readiness" -> {
                assertEquals("UP", json.path("status").asText(), where + "status");
                json.path("models").properties().forEach(e ->
                        assertEquals("READY", e.getValue().asText(), where + "model " + e.getKey()));
                return describe(json);
            }
            default -> {
                // An endpoint without a specific check: a JSON answer that is not an error (checked above).
                return "JSON, " + json.size() + " fields";
            }
        }
    }

    private static void assertIsPng(String base64, String what) {
        byte[] png = Base64.getDecoder().decode(base64);
        assertTrue(png.length > 8, what + " is empty");
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, Arrays.copyOf(png, 8),
                what + " is not a PNG");
    }

    /** The answer for a failure message, without the map and overlay (image content is never logged). */
    private static String describe(JsonNode json) {
        JsonNode copy = json.deepCopy();
        if (copy instanceof ObjectNode o) {
            o.remove(List.of("map", "overlay", "regions"));
        }
        return clip(copy.toString());
    }

    private static String clip(String s) {
        return s.length() > 600 ? s.substring(0, 600) + "..." : s;
    }

    private static Map<String, String> query(URI url) {
        Map<String, String> q = new LinkedHashMap<>();
        if (url.getQuery() != null) {
            for (String kv : url.getQuery().split("&")) {
                int eq = kv.indexOf('=');
                q.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
            }
        }
        return q;
    }

    /** The single substitution: the printed port 8080 becomes the free port this run uses. */
    private static String withPort(String cmd, int port) {
        return cmd.replaceAll("\\b8080\\b", Integer.toString(port));
    }

    /** Starts (or reuses) the server of a document's setup lines and waits until it is ready. */
    private static Server server(Example ex) throws Exception {
        String setup = String.join("\n", ex.setup());
        Server running = SERVERS.get(setup);
        if (running != null) {
            return running;
        }
        int port = freePort();
        Path log = workspace.resolve("server-" + (SERVERS.size() + 1) + ".log");
        Process p = bash(withPort(setup, port)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitReady(ex.doc(), p, port, log);
        } catch (Throwable t) {
            stop(p); // a server that never became ready is not left running, nor reused
            throw t;
        }
        Server server = new Server(p, port);
        SERVERS.put(setup, server);
        return server;
    }

    /**
     * Starts one printed serve line on its own, checks it serves a detection, and stops it. With
     * --insecure-no-auth it runs alone, with no MVFA_* or example key variable in its environment, and the
     * request carries no key; otherwise the key exports run first and the request sends the API key. A line
     * without a port would take the default 8080: the port goes in through MVFA_PORT instead (the documented
     * override), so the line itself runs as printed.
     */
    private static void startAndDetect(String doc, String printed, List<String> keyExports) throws Exception {
        boolean insecure = printed.contains("--insecure-no-auth");
        int port = freePort();
        String line = withPort(printed, port);
        ProcessBuilder pb = bash(insecure ? line : String.join("\n", keyExports) + "\n" + line);
        if (insecure) {
            pb.environment().keySet().removeAll(KEYS.keySet());
        }
        if (line.equals(printed)) {
            pb.environment().put("MVFA_PORT", Integer.toString(port));
        }
        Path log = workspace.resolve("serve-line-" + UUID.randomUUID() + ".log");
        Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitReady(doc + ": " + printed, p, port, log);
            HttpRequest.Builder detect = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/detect"))
                    .timeout(Duration.ofSeconds(60)).header("Content-Type", "image/png")
                    .POST(HttpRequest.BodyPublishers.ofFile(workspace.resolve("scan.png")));
            if (!insecure) {
                detect.header("X-API-Key", KEYS.get("SCANNER_KEY"));
            }
            long t0 = System.nanoTime();
            HttpResponse<String> answer = HttpClient.newHttpClient().send(detect.build(), HttpResponse.BodyHandlers.ofString());
            String where = doc + ": POST /v1/detect" + (insecure ? " without a key" : " with the API key") + " to `"
                    + printed + "` answered " + answer.statusCode() + " " + clip(answer.body()) + "\n";
            assertEquals(200, answer.statusCode(), where + tail(log));
            JsonNode json = JSON.readTree(answer.body());
            assertTrue(json.path("score").isNumber(), where + "numeric score");
            System.out.printf("%s: %s -> score %s, %s, model %s (%d ms)%n", doc, printed, json.path("score").asText(),
                    json.path("decision").asText(), json.path("model").path("id").asText(), (System.nanoTime() - t0) / 1_000_000);
        } finally {
            stop(p);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Polls GET /health/readiness until 200; fails with the server log's tail if it exits or times out. */
    private static void awaitReady(String doc, Process p, int port, Path log) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/readiness"))
                .timeout(Duration.ofSeconds(10)).build();
        long t0 = System.nanoTime();
        long deadline = t0 + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                fail(doc + ": the server stopped (exit " + p.exitValue() + ") before it was ready:\n" + tail(log));
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    System.out.printf("%s: server ready on port %d after %.1f s%n", doc, port, (System.nanoTime() - t0) / 1e9);
                    return;
                }
            } catch (IOException notListeningYet) {
                // the JVM is still starting
            }
            Thread.sleep(250);
        }
        fail(doc + ": the server was not ready within " + READY_TIMEOUT.toSeconds() + " s:\n" + tail(log));
    }

    /** bash -c in the workspace, with the example keys and no MVFA_* settings inherited from the build. */
    private static ProcessBuilder bash(String script) {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).directory(workspace.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("MVFA_"));
        pb.environment().putAll(KEYS);
        return pb;
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** SIGTERM to the whole tree (bash, the stand-in launcher, java), then SIGKILL to what is left. */
    private static void stop(Process p) {
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        tree.add(p.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle h : tree) {
            try {
                h.onExit().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
    }

    // ---- the workspace the commands expect ----

    /**
     * onnx/Brain-few-shot and onnx/Chest-few-shot (copies of real packages exported from the golden fixture;
     * the fixture has brain images only, so its zero-shot package stands in for the chest one), scan.png (a
     * fixture image), and ./mvfa: a stand-in for the launcher whose `serve` runs the same main class on this
     * JVM's classpath (the real launcher needs the edge-server jar, not built yet in the test phase).
     */
    private static synchronized void prepareWorkspace() throws IOException {
        if (prepared) {
            return;
        }
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        for (String tool : List.of("bash", "curl", "sha256sum", "cut")) {
            if (!onPath(tool)) {
                String why = "'" + tool + "' is not on the PATH; the README examples need it";
                if (ci) {
                    fail("CI=true but " + why);
                }
                assumeTrue(false, why + ": skipping");
            }
        }
        Path brain = TestPackages.brainFew();
        Path chest = TestPackages.brainZero();
        TestPackages.copy(brain, workspace.resolve("onnx/Brain-few-shot"));
        TestPackages.copy(chest, workspace.resolve("onnx/Chest-few-shot"));
        Files.copy(TestPackages.image(0), workspace.resolve("scan.png"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path mvfa = workspace.resolve("mvfa");
        Files.writeString(mvfa, String.join("\n",
                "#!/usr/bin/env bash",
                "# Test stand-in for the repository's ./mvfa: only `serve`, same main class as the real launcher.",
                "set -euo pipefail",
                "[ \"${1:-}\" = serve ] || { echo \"mvfa (test stand-in): only 'serve' is available\" >&2; exit 2; }",
                // -Xmx1g: the real launcher's default (6g) is far more than the fixture's tiny packages need
                "exec " + quote(java) + " -Xmx1g -cp " + quote(System.getProperty("java.class.path"))
                        + " org.mvfaedge.server.Application \"${@:2}\"",
                ""));
        Files.setPosixFilePermissions(mvfa, PosixFilePermissions.fromString("rwxr-xr-x"));
        prepared = true;
    }

    private static boolean onPath(String tool) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, tool)));
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
