package org.mvfaedge.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.Detection;
import org.mvfaedge.sdk.DetectorOptions;
import org.mvfaedge.sdk.ExecutionProvider;
import org.mvfaedge.sdk.Region;
import org.mvfaedge.sdk.testing.FixtureConfig;

/** POST /v1/detect over HTTP answers exactly what the SDK answers for the same image and package. */
class DetectParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer server;
    private static AnomalyDetector sdk;
    private static Path pkg;

    @BeforeAll
    static void start() throws Exception {
        pkg = TestPackages.brainFew();
        server = TestServer.start(pkg);
        sdk = AnomalyDetector.open(pkg, DetectorOptions.builder().providers(ExecutionProvider.CPU).maxBatch(1).build());
    }

    @AfterAll
    static void stop() {
        if (sdk != null) {
            sdk.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void detectionJsonEqualsTheSdkResult() throws Exception {
        for (int i = 0; i < FixtureConfig.get().images(); i++) {
            byte[] png = Files.readAllBytes(TestPackages.image(i));
            HttpResponse<String> r = server.post("/v1/detect?map=array&overlay=true", TestServer.USER_KEY, "image/png", png);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
            JsonNode j = JSON.readTree(r.body());
            Detection e = sdk.detect(png);
            assertEquals(e.score(), j.get("score").floatValue(), "score of img" + i);
            assertEquals(e.threshold(), j.get("threshold").asDouble());
            assertEquals(e.anomalous(), j.get("anomalous").asBoolean());
            assertEquals(e.anomalous() ? "anomalous" : "normal", j.get("decision").asText());
            assertEquals(e.width(), j.get("width").asInt());
            assertEquals(e.height(), j.get("height").asInt());
            assertEquals(sdk.manifest().modelId(), j.get("model").get("id").asText());
            assertEquals(sdk.manifest().model().sha256().substring(0, 12), j.get("model").get("version").asText());
            assertEquals("CPU", j.get("model").get("executionProvider").asText());
            assertEquals(r.headers().firstValue("X-Request-Id").orElseThrow(), j.get("requestId").asText());

            List<Region> regions = e.regions();
            // Always an array, empty for an image with no region above the threshold.
            assertTrue(j.get("regions") != null && j.get("regions").isArray(), "regions of img" + i + " missing: " + r.body().length());
            assertEquals(regions.size(), j.get("regions").size(), "regions of img" + i);
            for (int k = 0; k < regions.size(); k++) {
                Region x = regions.get(k);
                JsonNode y = j.get("regions").get(k);
                assertEquals(x.x(), y.get("x").asInt());
                assertEquals(x.y(), y.get("y").asInt());
                assertEquals(x.width(), y.get("width").asInt());
                assertEquals(x.height(), y.get("height").asInt());
                assertEquals(x.area(), y.get("area").asLong());
                assertEquals(x.peak(), y.get("peak").floatValue());
                assertEquals(x.peakX(), y.get("peakX").asInt());
                assertEquals(x.peakY(), y.get("peakY").asInt());
                assertEquals(x.mean(), y.get("mean").floatValue());
            }

            JsonNode map = j.get("map");
            assertEquals("float32", map.get("encoding").asText());
            float[] expected = e.map();
            assertEquals(expected.length, map.get("values").size());
            assertEquals(e.width() * e.height(), expected.length);
            float[] got = new float[expected.length];
            for (int k = 0; k < got.length; k++) {
                got[k] = map.get("values").get(k).floatValue();
            }
            assertArrayEquals(expected, got, "map of img" + i);
            assertArrayEquals(e.overlayPng(), Base64.getDecoder().decode(j.get("overlay").get("png").asText()));

            JsonNode t = j.get("timings");
            for (String f : List.of("decodeMs", "preprocessMs", "inferenceMs", "postprocessMs", "queueMs", "totalMs")) {
                assertTrue(t.get(f).asDouble() >= 0, f);
            }
            assertTrue(t.get("inferenceMs").asDouble() > 0);
        }
    }

    @Test
    void mapPngAndPlainAnswers() throws Exception {
        byte[] png = Files.readAllBytes(TestPackages.image(1));
        Detection e = sdk.detect(png);
        JsonNode withPng = JSON.readTree(server.post("/v1/detect?map=png", TestServer.USER_KEY, "image/png", png).body());
        assertEquals("png", withPng.get("map").get("encoding").asText());
        assertArrayEquals(e.mapPng(), Base64.getDecoder().decode(withPng.get("map").get("png").asText()));
        assertFalse(withPng.has("overlay"));

        JsonNode plain = JSON.readTree(server.post("/v1/detect", TestServer.USER_KEY, "application/octet-stream", png).body());
        assertEquals(e.score(), plain.get("score").floatValue());
        assertFalse(plain.has("map"), plain.toString());
        assertFalse(plain.has("overlay"), plain.toString());
    }

    @Test
    void multipartFieldImageGivesTheSameResult() throws Exception {
        byte[] png = Files.readAllBytes(TestPackages.image(2));
        String boundary = "mvfa-test-boundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"scan.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.write(png);
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpResponse<String> r = server.post("/v1/detect", TestServer.USER_KEY, "multipart/form-data; boundary=" + boundary,
                body.toByteArray());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(sdk.detect(png).score(), JSON.readTree(r.body()).get("score").floatValue());
    }
}
