package org.mvfaedge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.server.security.ApiKeys;

/**
 * Regression tests for the findings of the server's attack on loopback (issue "Edge server hardening"),
 * each named after its finding. Requests go over plain sockets ({@link RawHttp}) so that paths reach the
 * server exactly as an attacker writes them.
 */
class HardeningTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path tmp;
    private static Path roots;
    private static Path few;
    private static Path zero;
    private static TestServer server;
    private static String id;

    @BeforeAll
    static void start() throws Exception {
        roots = Files.createDirectories(tmp.resolve("models"));
        few = TestPackages.copy(TestPackages.brainFew(), roots.resolve("few"));
        zero = TestPackages.copy(TestPackages.brainZero(), roots.resolve("zero"));
        server = TestServer.start(List.of(few), Map.of("mvfa.model-roots", List.of(roots.toString())));
        id = server.bean(org.mvfaedge.server.model.ModelRegistry.class).slots().iterator().next().id();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static int port() {
        return server.server.getPort();
    }

    private static String version() throws Exception {
        HttpResponse<String> r = server.get("/v1/models/" + id, TestServer.USER_KEY);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("version").asText();
    }

    private static RawHttp.Reply post(String path, String key, String contentType, byte[] body) throws Exception {
        Map<String, String> h = new LinkedHashMap<>();
        if (key != null) {
            h.put("X-API-Key", key);
        }
        if (contentType != null) {
            h.put("Content-Type", contentType);
        }
        return RawHttp.exchange(port(), null, "POST", path, h, body);
    }

    private static byte[] pathBody(String path) throws Exception {
        return JSON.writeValueAsBytes(Map.of("path", path));
    }

    /** No framework internals, class names or stack traces in what a client reads. */
    static void noInternals(String body) {
        for (String s : List.of("io.micronaut", "io.netty", "java.", "Exception", "Impl", "$", "\tat ", "route matched",
                "More than 1 route", "Source: REDACTED", "Feature", "argument [")) {
            assertFalse(body.contains(s), "the body names '" + s + "': " + body);
        }
    }

    /** Finding 1 (critical): the admin check must hold on every spelling of the reload route. */
    @Test
    void finding1ScannerKeyCannotReloadThroughAnyPathVariant() throws Exception {
        String before = version();
        String canonical = "/v1/models/" + id + "/reload";
        List<String> variants = List.of(canonical, canonical + "/", canonical + "//", "/v1/models/" + id + "//reload",
                "//v1/models/" + id + "/reload", "/v1//models/" + id + "/reload", "/v1/models/" + id + "/./reload",
                canonical + ";x", "/v1/models/" + id + ";a=b/reload", "/v1/models/" + id + "/%72eload",
                "/v1/models/" + id + "/reload%2F", "/v1/models/" + id + "%2Freload", "/v1/models/" + id + "/RELOAD",
                "/V1/models/" + id + "/reload", "/v1/models/" + id + "/reload?x=1", "/v1/models/" + id + "/reload/?",
                "/v1/models/" + id + "/reload/.", "/v1/models/" + id + "/x/../reload");
        Map<String, Integer> statuses = new LinkedHashMap<>();
        for (String v : variants) {
            RawHttp.Reply r = post(v, TestServer.USER_KEY, "application/json", pathBody(zero.toString()));
            statuses.put(v, r.status());
            assertNotEquals(200, r.status(), v + " answered 200 to a scanner key: " + r.text());
            assertTrue(r.status() == 403 || r.status() == 404 || r.status() == 400 || r.status() == 405,
                    v + " -> " + r.status() + " " + r.text());
            noInternals(r.text());
        }
        System.out.println("finding 1, reload with the scanner key: " + statuses);
        assertEquals(before, version(), "no variant reloaded the model");
        // The admin key still reloads on the canonical route and on the trailing-slash spelling the router accepts.
        RawHttp.Reply ok = post(canonical, TestServer.ADMIN_KEY, "application/json", pathBody(zero.toString()));
        assertEquals(200, ok.status(), ok.text());
        assertNotEquals(before, version());
        RawHttp.Reply back = post(canonical + "/", TestServer.ADMIN_KEY, "application/json", pathBody(few.toString()));
        assertEquals(200, back.status(), back.text());
        assertEquals(before, version());
    }

    /**
     * Finding 4 (medium): a reload path outside the configured model roots is refused with one answer, whatever
     * exists there (no probing), and the path's text reaches neither the body nor the log (no forged lines).
     */
    @Test
    void finding4ReloadPathsCannotProbeTheFileSystemOrForgeLogLines() throws Exception {
        String before = version();
        List<String> probes = List.of("/etc/passwd", "/root", "/etc", "/no/such/folder", tmp.toString(),
                roots + "/../few",
                "/tmp/x\nINFO forged line: admin logged in\r\nWARN forged", "relative/path");
        String detail = null;
        int status = -1;
        try (LogCapture log = new LogCapture()) {
            for (String p : probes) {
                RawHttp.Reply r = post("/v1/models/" + id + "/reload", TestServer.ADMIN_KEY, "application/json",
                        pathBody(p));
                JsonNode problem = JSON.readTree(r.body());
                if (detail == null) {
                    detail = problem.get("detail").asText();
                    status = r.status();
                }
                assertEquals(status, r.status(), p + ": " + r.text());
                assertEquals(detail, problem.get("detail").asText(), "every refused path gets the same answer: " + p);
                for (String part : p.split("[\n\r]")) {
                    assertFalse(!part.isBlank() && r.text().contains(part.strip()), "the body echoes the path: " + r.text());
                }
                noInternals(r.text());
            }
            String logged = log.text();
            assertFalse(logged.contains("forged"), "a path reached the log:\n" + logged);
            assertFalse(logged.contains("/etc/passwd") || logged.contains("/no/such/folder") || logged.contains(tmp.toString()),
                    "a path reached the log:\n" + logged);
        }
        assertEquals(403, status, detail);
        assertTrue(detail.contains("mvfa.model-roots"), detail);
        assertEquals(before, version());
        // Inside a root, a folder without a package: its own answer, still without the path.
        RawHttp.Reply missing = post("/v1/models/" + id + "/reload", TestServer.ADMIN_KEY, "application/json",
                pathBody(roots.resolve("nothing-here").toString()));
        assertEquals(422, missing.status(), missing.text());
        assertFalse(missing.text().contains("nothing-here"), missing.text());
        // Inside a root: served.
        assertEquals(200, post("/v1/models/" + id + "/reload", TestServer.ADMIN_KEY, "application/json",
                pathBody(few.toString())).status());
    }

    /** Finding 5 (low): raw bodies up to the documented 32 MB are read; larger ones get 413. */
    @Test
    void finding5RawBodiesUpToTheDocumentedLimitAreAccepted() throws Exception {
        byte[] twenty = new byte[20 * 1024 * 1024];
        new Random(5).nextBytes(twenty);
        RawHttp.Reply r = post("/v1/detect", TestServer.USER_KEY, "application/octet-stream", twenty);
        assertNotEquals(413, r.status(), "a 20 MB raw body is under the 32 MB limit: " + r.text());
        assertTrue(r.status() == 415 || r.status() == 422, r.status() + " " + r.text());
        byte[] over = new byte[33 * 1024 * 1024];
        RawHttp.Reply big = post("/v1/detect", TestServer.USER_KEY, "application/octet-stream", over);
        assertEquals(413, big.status(), big.text());
        noInternals(big.text());
    }

    /** Finding 5 (low): /prometheus needs a key and shows no exception class names. */
    @Test
    void finding5MetricsNeedAKeyAndNameNoExceptionClasses() throws Exception {
        // an error that Micronaut's metrics would tag with its exception class
        post("/v1/detect", TestServer.USER_KEY, "image/png", "not a png".getBytes(StandardCharsets.US_ASCII));
        HttpResponse<String> open = server.get("/prometheus", null);
        assertEquals(401, open.statusCode(), "/prometheus without a key");
        HttpResponse<String> keyed = server.get("/prometheus", TestServer.USER_KEY);
        assertEquals(200, keyed.statusCode());
        assertTrue(keyed.body().contains("mvfa_http_requests_seconds"), "metrics still served with a key");
        assertFalse(keyed.body().contains("exception=\""), "exception tags removed");
        assertFalse(keyed.body().contains("Exception"), "an exception name in the metrics");
    }

    /** Finding 5 (low): error bodies say what to fix, never framework internals. */
    @Test
    void finding5ErrorBodiesNameNoFrameworkClasses() throws Exception {
        List<RawHttp.Reply> replies = new ArrayList<>();
        // no Content-Type: both detect routes could take it
        replies.add(post("/v1/detect", TestServer.USER_KEY, null, "x".getBytes(StandardCharsets.US_ASCII)));
        // 'image' sent as a plain form field instead of a file
        String boundary = "b0undary";
        String form = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nhello\r\n--" + boundary + "--\r\n";
        replies.add(post("/v1/detect", TestServer.USER_KEY, "multipart/form-data; boundary=" + boundary,
                form.getBytes(StandardCharsets.US_ASCII)));
        // a JSON body of the wrong shape for reload
        replies.add(post("/v1/models/" + id + "/reload", TestServer.ADMIN_KEY, "application/json",
                "{\"path\": [1, 2]}".getBytes(StandardCharsets.US_ASCII)));
        replies.add(post("/v1/models/" + id + "/reload", TestServer.ADMIN_KEY, "application/json",
                "{not json".getBytes(StandardCharsets.US_ASCII)));
        for (RawHttp.Reply r : replies) {
            System.out.println("finding 5, error body: " + r.status() + " " + r.text());
            assertTrue(r.status() >= 400 && r.status() < 500, r.status() + " " + r.text());
            assertEquals("application/problem+json", r.headers().get("content-type").split(";")[0], r.text());
            noInternals(r.text());
        }
    }

    /** Finding 5 (low): a multipart body with 20,000 fields is refused with a 4xx and no stack trace in the log. */
    @Test
    void finding5ManyMultipartFieldsAreRefusedWithoutAStackTrace() throws Exception {
        String boundary = "manyfields";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            // file parts: Micronaut's refusal of too many fields then logged a stack trace per request
            b.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"f").append(i)
                    .append("\"; filename=\"f").append(i).append(".txt\"\r\n\r\nv\r\n");
        }
        b.append("--").append(boundary).append("--\r\n");
        try (LogCapture log = new LogCapture()) {
            RawHttp.Reply r = post("/v1/detect", TestServer.USER_KEY, "multipart/form-data; boundary=" + boundary,
                    b.toString().getBytes(StandardCharsets.US_ASCII));
            System.out.println("finding 5, 20,000 multipart fields: " + r.status() + " " + r.text());
            assertTrue(r.status() == 400 || r.status() == 413, r.status() + " " + r.text());
            noInternals(r.text());
            Thread.sleep(200);
            assertFalse(log.text().contains("\n\tat "), "a stack trace was logged:\n" + log.text());
        }
    }

    /** Finding 5 (low): with no address configured the server listens on loopback only; elsewhere plain HTTP warns. */
    @Test
    void finding5LoopbackByDefaultAndAWarningForPlainHttpOnTheNetwork() throws Exception {
        Map<String, Object> p = new HashMap<>();
        p.put("micronaut.server.port", -1);
        p.put("mvfa.models", List.of(TestPackages.brainFew().toString()));
        p.put("mvfa.api-keys", List.of(ApiKeys.sha256Hex(TestServer.USER_KEY)));
        p.put("mvfa.warm-up", false);
        p.put("mvfa.providers", List.of("CPU"));
        try (LogCapture log = new LogCapture();
                EmbeddedServer s = ApplicationContext.run(EmbeddedServer.class, p)) {
            assertEquals("127.0.0.1", s.getApplicationContext().getProperty("micronaut.server.host", String.class)
                    .orElse(null), "default listen address");
            assertFalse(log.text().contains("plain HTTP"), log.text());
        }
        p.put("micronaut.server.host", "0.0.0.0");
        try (LogCapture log = new LogCapture();
                EmbeddedServer s = ApplicationContext.run(EmbeddedServer.class, p)) {
            assertTrue(log.lines().stream().anyMatch(l -> l.startsWith("WARN") && l.contains("plain HTTP")), log.text());
        }
    }
}
