package org.mvfaedge.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Regression tests of the fuzzing findings in multipart handling (DetectRequestFuzzTest): Netty's decoder
 * failed with plain runtime exceptions on these client mistakes, which were answered 500; they are 400 with a
 * problem+json saying what is wrong, and the server log holds no error or stack trace for them.
 */
class MalformedMultipartTest {
    static TestServer server;
    static byte[] png;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(TestPackages.brainFew());
        png = Files.readAllBytes(TestPackages.image(0));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static byte[] body(String disposition) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("--XyZ\r\n" + disposition + "\r\nContent-Type: image/png\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(png);
        b.writeBytes("\r\n--XyZ--\r\n".getBytes(StandardCharsets.US_ASCII));
        return b.toByteArray();
    }

    private static void is400(String disposition) throws Exception {
        try (LogCapture log = new LogCapture()) {
            JsonNode p = ErrorResponsesTest.problem(server.post("/v1/detect", TestServer.USER_KEY,
                    "multipart/form-data; boundary=XyZ", body(disposition)), 400);
            assertTrue(p.get("detail").asText().contains("malformed"), p.toString());
            assertFalse(log.text().contains("ERROR"), log.text());
            assertFalse(log.text().contains("Exception"), log.text());
        }
    }

    @Test
    void dispositionParameterWithoutEqualsIs400() throws Exception {
        is400("Content-Disposition: form-data; name");
    }

    @Test
    void partWithoutNameIs400() throws Exception {
        is400("Content-Disposition: form-data; filename=\"a.png\"");
    }

    /** Fuzz finding: an empty boundary parameter made Netty's boundary parser fail in String.charAt (500). */
    @Test
    void emptyBoundaryParameterIs400() throws Exception {
        try (LogCapture log = new LogCapture()) {
            JsonNode p = ErrorResponsesTest.problem(server.post("/v1/detect", TestServer.USER_KEY,
                    "multipart/form-data; boundary=; boundary=XyZ",
                    body("Content-Disposition: form-data; name=\"image\"; filename=\"a.png\"")), 400);
            assertTrue(p.get("detail").asText().contains("malformed"), p.toString());
            assertFalse(log.text().contains("Exception"), log.text());
        }
    }

    @Test
    void theWellFormedPartStillScores() throws Exception {
        assertTrue(server.post("/v1/detect", TestServer.USER_KEY, "multipart/form-data; boundary=XyZ",
                body("Content-Disposition: form-data; name=\"image\"; filename=\"a.png\"")).statusCode() == 200);
    }
}
