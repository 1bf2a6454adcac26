package org.mvfaedge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every bad request over real HTTP gets its status and an application/problem+json body with type,
 * title, status, detail and the request id; none carries a stack trace.
 */
class ErrorResponsesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer server;
    private static byte[] png;

    @BeforeAll
    static void start() throws Exception {
        png = Files.readAllBytes(TestPackages.image(0));
        server = TestServer.start(List.of(TestPackages.brainFew()),
                Map.of("micronaut.server.max-request-size", "1MB", "micronaut.server.multipart.max-file-size", "1MB",
                        "test.boom", "true"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Asserts the status and a complete problem document; returns it. */
    static JsonNode problem(HttpResponse<String> r, int status) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse("").split(";")[0], r.body());
        JsonNode p = JSON.readTree(r.body());
        assertEquals(status, p.get("status").asInt(), r.body());
        assertTrue(p.get("type").asText().startsWith("urn:mvfa-edge:problem:"), r.body());
        assertFalse(p.get("title").asText().isBlank(), r.body());
        assertFalse(p.get("detail").asText().isBlank(), r.body());
        String rid = r.headers().firstValue("X-Request-Id").orElse(null);
        assertNotNull(rid, "X-Request-Id header");
        assertEquals(rid, p.get("request_id").asText(), r.body());
        assertFalse(r.body().contains("\tat ") || r.body().contains("at org.") || r.body().contains("at java.")
                || r.body().contains("Caused by") || r.body().contains("\n") || r.body().contains("\\tat "),
                "no stack trace: " + r.body());
        return p;
    }

    @Test
    void wrongContentTypeIs415() throws Exception {
        JsonNode p = problem(server.post("/v1/detect", TestServer.USER_KEY, "text/plain", png), 415);
        assertTrue(p.get("detail").asText().contains("image/png"), p.toString());
    }

    @Test
    void emptyBodyIs400() throws Exception {
        JsonNode p = problem(server.post("/v1/detect", TestServer.USER_KEY, "image/png", new byte[0]), 400);
        assertEquals("urn:mvfa-edge:problem:empty-body", p.get("type").asText());
    }

    @Test
    void truncatedPngIs422() throws Exception {
        byte[] cut = Arrays.copyOf(png, png.length / 2);
        JsonNode p = problem(server.post("/v1/detect", TestServer.USER_KEY, "image/png", cut), 422);
        assertEquals("urn:mvfa-edge:problem:corrupt-image", p.get("type").asText());
    }

    @Test
    void notAnImageIs415() throws Exception {
        byte[] junk = "this is not an image at all, just text bytes".getBytes();
        problem(server.post("/v1/detect", TestServer.USER_KEY, "application/octet-stream", junk), 415);
    }

    @Test
    void absurdDimensionsAre422BeforeDecoding() throws Exception {
        byte[] huge = pngHeaderOnly(100_000, 100_000);
        long t0 = System.nanoTime();
        JsonNode p = problem(server.post("/v1/detect", TestServer.USER_KEY, "image/png", huge), 422);
        assertEquals("urn:mvfa-edge:problem:image-too-large", p.get("type").asText());
        assertTrue((System.nanoTime() - t0) / 1e9 < 10, "refused from the header, not after decoding");
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        byte[] big = new byte[2 * 1024 * 1024];
        System.arraycopy(png, 0, big, 0, png.length);
        JsonNode p = problem(server.post("/v1/detect", TestServer.USER_KEY, "image/png", big), 413);
        assertEquals("urn:mvfa-edge:problem:payload-too-large", p.get("type").asText());
    }

    @Test
    void missingKeyIs401() throws Exception {
        HttpResponse<String> r = server.post("/v1/detect", null, "image/png", png);
        JsonNode p = problem(r, 401);
        assertTrue(p.get("detail").asText().contains("X-API-Key"), p.toString());
        assertTrue(r.headers().firstValue("WWW-Authenticate").isPresent());
    }

    @Test
    void wrongKeyIs401() throws Exception {
        problem(server.post("/v1/detect", "not-a-configured-key", "image/png", png), 401);
        problem(server.get("/v1/models", "not-a-configured-key"), 401);
    }

    @Test
    void userKeyOnReloadIs403() throws Exception {
        problem(server.post("/v1/models/brain/reload", TestServer.USER_KEY, "application/json", "{}".getBytes()), 403);
    }

    @Test
    void unknownModelIs404() throws Exception {
        JsonNode p = problem(server.post("/v1/detect?model=no-such-model", TestServer.USER_KEY, "image/png", png), 404);
        assertEquals("urn:mvfa-edge:problem:model-not-found", p.get("type").asText());
        problem(server.get("/v1/models/no-such-model", TestServer.USER_KEY), 404);
        problem(server.post("/v1/models/no-such-model/reload", TestServer.ADMIN_KEY, "application/json", "{}".getBytes()), 404);
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405() throws Exception {
        problem(server.get("/v1/nothing-here", TestServer.USER_KEY), 404);
        problem(server.get("/nothing-here", TestServer.USER_KEY), 404);
        // without a key, a path that matches no route is refused like any other (it tells nothing about routes)
        problem(server.get("/nothing-here", null), 401);
        problem(server.send(server.request("/v1/detect").header("X-API-Key", TestServer.USER_KEY)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(png)).header("Content-Type", "image/png").build()), 405);
    }

    @Test
    void unexpectedFailureIs500WithoutInternals() throws Exception {
        JsonNode p = problem(server.get("/v1/test-boom", TestServer.USER_KEY), 500);
        assertFalse(p.toString().contains("secret") || p.toString().contains("IllegalState"), p.toString());
        assertTrue(p.get("detail").asText().contains(p.get("request_id").asText()), "points at the log entry: " + p);
    }

    @Test
    void badQueryValuesAre400() throws Exception {
        problem(server.post("/v1/detect?map=jpeg", TestServer.USER_KEY, "image/png", png), 400);
        problem(server.post("/v1/detect?overlay=maybe", TestServer.USER_KEY, "image/png", png), 400);
    }

    @Test
    void multipartWithoutImageFieldIs400() throws Exception {
        String boundary = "b0undary";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--" + boundary + "--\r\n";
        JsonNode p = problem(server.post("/v1/detect", TestServer.USER_KEY, "multipart/form-data; boundary=" + boundary,
                body.getBytes()), 400);
        assertTrue(p.get("detail").asText().contains("image"), p.toString());
    }

    @Test
    void callerRequestIdIsEchoedAndUnsafeOnesReplaced() throws Exception {
        HttpResponse<String> r = server.send(server.request("/v1/models/none").header("X-API-Key", TestServer.USER_KEY)
                .header("X-Request-Id", "scanner-7.job-42").GET().build());
        assertEquals("scanner-7.job-42", problem(r, 404).get("request_id").asText());
        HttpResponse<String> r2 = server.send(server.request("/v1/models/none").header("X-API-Key", TestServer.USER_KEY)
                .header("X-Request-Id", "patient name with spaces").GET().build());
        assertFalse(problem(r2, 404).get("request_id").asText().contains(" "));
    }

    /** A PNG whose header claims width x height, with one tiny (invalid for that size) IDAT and IEND. */
    static byte[] pngHeaderOnly(int width, int height) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws Exception {
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes("US-ASCII");
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
