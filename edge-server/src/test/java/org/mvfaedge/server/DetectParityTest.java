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
import java.util.Set;
import java.util.TreeSet;
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
            assertEquals("CPU", j.get("model").get("execution_provider").asText());
            assertEquals(r.headers().firstValue("X-Request-Id").orElseThrow(), j.get("request_id").asText());

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
                assertEquals(x.peakX(), y.get("peak_x").asInt());
                assertEquals(x.peakY(), y.get("peak_y").asInt());
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

            assertEquals(e.rawZeroScore(), j.get("raw").get("zero_score").floatValue(), "raw zero score of img" + i);
            assertEquals(e.rawFewScore(), j.get("raw").get("few_score").floatValue(), "raw few score of img" + i);
            JsonNode t = j.get("timings_ms");
            for (String f : List.of("decode", "preprocess", "inference", "postprocess", "queue", "total")) {
                assertTrue(t.get(f).asDouble() >= 0, f);
            }
            assertTrue(t.get("inference").asDouble() > 0);
            // the server's total runs from the start of processing to the answer: at least the four stages
            assertTrue(t.get("total").asDouble() >= t.get("decode").asDouble() + t.get("preprocess").asDouble()
                    + t.get("inference").asDouble() + t.get("postprocess").asDouble() - 1e-6, t.toString());
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

    /**
     * One detection shape: the SDK's Detection.toJson() and the HTTP answer have the same fields, names and
     * values (the HTTP answer adds request_id, model, map, overlay and timings_ms.queue around them).
     */
    @Test
    void httpAnswerIsTheSdkShape() throws Exception {
        byte[] png = Files.readAllBytes(TestPackages.image(0));
        JsonNode http = JSON.readTree(server.post("/v1/detect", TestServer.USER_KEY, "image/png", png).body());
        JsonNode sdkJson = JSON.readTree(sdk.detect(png).toJson());
        Set<String> serverOnly = Set.of("request_id", "model", "map", "overlay");
        Set<String> httpFields = new TreeSet<>();
        http.fieldNames().forEachRemaining(f -> {
            if (!serverOnly.contains(f)) {
                httpFields.add(f);
            }
        });
        assertEquals(names(sdkJson), httpFields);
        for (String f : List.of("score", "decision", "anomalous", "threshold", "width", "height", "raw", "regions")) {
            assertEquals(sdkJson.get(f), http.get(f), f);
        }
        Set<String> httpTimings = names(http.get("timings_ms"));
        httpTimings.remove("queue");
        assertEquals(names(sdkJson.get("timings_ms")), httpTimings);
    }

    /**
     * The OpenAPI document's schema of the answer names exactly the fields the server sends, at every level
     * (top, model, raw, regions, timings_ms, map, overlay): the document is generated from DetectResponse at
     * compile time, the body is written by DetectionJson, and this keeps the two equal.
     */
    @Test
    void openApiSchemaNamesWhatTheServerSends() throws Exception {
        HttpResponse<String> doc = server.get("/swagger/mvfa-edge-0.1.yml", null);
        assertEquals(200, doc.statusCode(), doc.body());
        JsonNode api = JSON.valueToTree(new org.yaml.snakeyaml.Yaml().load(doc.body()));
        JsonNode schemas = api.get("components").get("schemas");
        // union over answers: map=png and overlay (png), map=array (values); regions from every fixture image
        List<JsonNode> answers = new java.util.ArrayList<>();
        for (int i = 0; i < FixtureConfig.get().images(); i++) {
            byte[] png = Files.readAllBytes(TestPackages.image(i));
            answers.add(JSON.readTree(server.post("/v1/detect?map=png&overlay=true", TestServer.USER_KEY, "image/png", png)
                    .body()));
            answers.add(JSON.readTree(server.post("/v1/detect?map=array", TestServer.USER_KEY, "image/png", png).body()));
        }
        java.util.Map<String, Set<String>> sent = new java.util.TreeMap<>();
        for (JsonNode a : answers) {
            collect("DetectResponse", a, sent);
        }
        assertTrue(sent.containsKey("DetectResponse.regions[]"), "no answer had a region: " + sent.keySet());
        java.util.Map<String, Set<String>> documented = new java.util.TreeMap<>();
        for (String path : sent.keySet()) {
            documented.put(path, names(schemaAt(schemas, path)));
        }
        assertEquals(documented, sent);

        // and the README's example answer uses the same names (its map is the png form: png, not values)
        String readme = Files.readString(Path.of("README.md"));
        int at = readme.indexOf("```json\n{\"request_id\"");
        assertTrue(at >= 0, "edge-server/README.md has no example answer starting with request_id");
        JsonNode example = JSON.readTree(readme.substring(at + 8, readme.indexOf("```", at + 8)));
        java.util.Map<String, Set<String>> shown = new java.util.TreeMap<>();
        collect("DetectResponse", example, shown);
        for (var e : shown.entrySet()) {
            Set<String> want = new TreeSet<>(sent.get(e.getKey()));
            if (e.getKey().equals("DetectResponse.map")) {
                want.remove("values");
            }
            assertEquals(want, e.getValue(), "README example at " + e.getKey());
        }
        assertEquals(sent.keySet(), shown.keySet(), "README example shows every object of the answer");
    }

    private static Set<String> names(JsonNode o) {
        Set<String> out = new TreeSet<>();
        o.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** Field names per object path ("DetectResponse.timings_ms", "DetectResponse.regions[]"), over all answers. */
    private static void collect(String path, JsonNode o, java.util.Map<String, Set<String>> into) {
        into.computeIfAbsent(path, k -> new TreeSet<>()).addAll(names(o));
        o.fields().forEachRemaining(e -> {
            if (e.getValue().isObject()) {
                collect(path + "." + e.getKey(), e.getValue(), into);
            } else if (e.getValue().isArray()) {
                e.getValue().forEach(x -> {
                    if (x.isObject()) {
                        collect(path + "." + e.getKey() + "[]", x, into);
                    }
                });
            }
        });
    }

    /** The properties of the schema at an object path, following $ref, allOf and items as OpenAPI writes them. */
    private static JsonNode schemaAt(JsonNode schemas, String path) {
        String[] parts = path.split("\\.");
        JsonNode s = resolve(schemas, schemas.get(parts[0]));
        for (int i = 1; i < parts.length; i++) {
            boolean array = parts[i].endsWith("[]");
            String name = array ? parts[i].substring(0, parts[i].length() - 2) : parts[i];
            JsonNode p = resolve(schemas, s.get("properties").get(name));
            assertTrue(p != null, "the OpenAPI schema has no " + name + " at " + path);
            s = array ? resolve(schemas, p.get("items")) : p;
        }
        return s.get("properties");
    }

    private static JsonNode resolve(JsonNode schemas, JsonNode s) {
        while (s != null) {
            if (s.has("$ref")) {
                String ref = s.get("$ref").asText();
                s = schemas.get(ref.substring(ref.lastIndexOf('/') + 1));
            } else if (s.has("allOf") && !s.has("properties")) {
                s = s.get("allOf").get(0);
            } else if (s.has("oneOf") && !s.has("properties")) {
                s = s.get("oneOf").get(0);
            } else {
                return s;
            }
        }
        return null;
    }
}
