package org.mvfaedge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models, reload, health, metrics and the API description over real HTTP. */
class ModelsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(HttpResponse<String> r, int status) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void modelsListReloadHealthMetricsAndOpenApi(@TempDir Path tmp) throws Exception {
        Path few = TestPackages.copy(TestPackages.brainFew(), tmp.resolve("few"));
        Path zero = TestPackages.brainZero();
        byte[] png = Files.readAllBytes(TestPackages.image(0));
        try (TestServer s = TestServer.start(List.of(few), Map.of())) {
            assertEquals("UP", json(s.get("/health", null), 200).get("status").asText());
            JsonNode ready = json(s.get("/health/readiness", null), 200);
            assertEquals("UP", ready.get("status").asText());

            JsonNode list = json(s.get("/v1/models", TestServer.USER_KEY), 200).get("models");
            assertEquals(1, list.size());
            JsonNode m = list.get(0);
            String id = m.get("id").asText();
            assertEquals("READY", m.get("state").asText());
            assertEquals("CPU", m.get("execution_provider").asText());
            assertEquals(id, m.get("manifest").get("model_id") != null ? m.get("manifest").get("model_id").asText()
                    : m.get("manifest").get("modelId").asText());
            assertTrue(m.get("version").asText().matches("[0-9a-f]{12}"), m.toString());
            assertEquals("READY", ready.get("models").get(id).asText());
            String v1 = m.get("version").asText();
            assertNull(m.get("path"), m.toString());
            assertFalse(m.toString().contains(few.toAbsolutePath().toString()), m.toString());
            List<String> supportNames = org.mvfaedge.sdk.pkg.ModelPackage.open(few).manifest().mode().supportImages();
            assertFalse(supportNames.isEmpty());
            for (String name : supportNames) {
                assertFalse(m.toString().contains(name), name + " shown in " + m);
            }
            assertEquals(supportNames.size(), m.get("manifest").get("mode").get("support_image_count").asInt());
            assertEquals(v1, json(s.get("/v1/models/" + id, TestServer.USER_KEY), 200).get("version").asText());

            // detect, then swap in the zero-shot package under the same id
            assertEquals(v1, json(s.post("/v1/detect", TestServer.USER_KEY, "image/png", png), 200).get("model").get("version")
                    .asText());
            JsonNode reloaded = json(s.post("/v1/models/" + id + "/reload", TestServer.ADMIN_KEY, "application/json",
                    JSON.writeValueAsBytes(Map.of("path", zero.toString()))), 200);
            assertEquals(v1, reloaded.get("previous_version").asText());
            String v2 = reloaded.get("model").get("version").asText();
            assertNotEquals(v1, v2);
            // no file system path, no support image names (they can carry patient identifiers)
            assertNull(reloaded.get("model").get("path"), reloaded.toString());
            assertFalse(reloaded.toString().contains(zero.toAbsolutePath().normalize().toString()), reloaded.toString());
            assertEquals(v2, json(s.post("/v1/detect?model=" + id, TestServer.USER_KEY, "image/png", png), 200).get("model")
                    .get("version").asText());

            // a reload from a bad folder fails with its reason and leaves the current version serving
            ErrorResponsesTest.problem(s.post("/v1/models/" + id + "/reload", TestServer.ADMIN_KEY, "application/json",
                    JSON.writeValueAsBytes(Map.of("path", tmp.resolve("missing").toString()))), 422);
            assertEquals(v2, json(s.post("/v1/detect", TestServer.USER_KEY, "image/png", png), 200).get("model").get("version")
                    .asText());
            // without a body: the current folder is read again
            assertEquals(v2, json(s.post("/v1/models/" + id + "/reload", TestServer.ADMIN_KEY, null, new byte[0]), 200)
                    .get("model").get("version").asText());

            String prom = s.get("/prometheus", TestServer.USER_KEY).body();
            assertTrue(prom.contains("mvfa_http_requests_seconds_bucket{endpoint=\"detect\",outcome=\"success\",status=\"200\""),
                    prom);
            assertTrue(prom.contains("outcome=\"client_error\""), "the 422 reload is counted");
            assertTrue(prom.contains("mvfa_inference_seconds_count{model=\"" + id + "\"}"), prom);
            assertTrue(prom.contains("mvfa_queue_depth"), prom);
            assertTrue(prom.contains("mvfa_models_loaded 1.0"), prom);
            assertTrue(prom.contains("mvfa_model_reloads_total{model=\"" + id + "\",outcome=\"ok\"} 2.0"), prom);

            HttpResponse<String> spec = s.get("/swagger/mvfa-edge-0.1.yml", null);
            assertEquals(200, spec.statusCode());
            assertTrue(spec.body().contains("/v1/detect") && spec.body().contains("/v1/models/{id}/reload"), spec.body());
            HttpResponse<String> ui = s.get("/swagger-ui/index.html", null);
            assertEquals(200, ui.statusCode());
            assertTrue(ui.body().toLowerCase().contains("swagger"));
        }
    }

    @Test
    void severalModelsAreChosenById() throws Exception {
        byte[] png = Files.readAllBytes(TestPackages.image(0));
        Path zero = TestPackages.brainZero();
        try (TestServer s = TestServer.start(List.of(), Map.of("mvfa.models",
                List.of("few=" + TestPackages.brainFew(), "zero=" + zero)))) {
            s.bean(org.mvfaedge.server.model.ModelRegistry.class).awaitInitialLoad(java.time.Duration.ofMinutes(2));
            assertEquals(2, json(s.get("/v1/models", TestServer.USER_KEY), 200).get("models").size());
            JsonNode p = ErrorResponsesTest.problem(s.post("/v1/detect", TestServer.USER_KEY, "image/png", png), 400);
            assertTrue(p.get("detail").asText().contains("few") && p.get("detail").asText().contains("zero"), p.toString());
            JsonNode z = json(s.post("/v1/detect?model=zero", TestServer.USER_KEY, "image/png", png), 200);
            assertEquals("zero", z.get("model").get("id").asText());
            assertEquals(org.mvfaedge.sdk.pkg.ModelPackage.open(zero).manifest().model().sha256().substring(0, 12),
                    z.get("model").get("version").asText());
            assertEquals("few", json(s.post("/v1/detect?model=few", TestServer.USER_KEY, "image/png", png), 200)
                    .get("model").get("id").asText());
        }
    }

    @Test
    void readinessIsDownWhileAModelCannotRun() throws Exception {
        // TensorRT alone cannot run on this build: the model fails to load, the server stays up and says why.
        try (TestServer s = TestServer.start(List.of(TestPackages.brainFew()),
                Map.of("mvfa.providers", List.of("TENSORRT"), "test.await-ready", false))) {
            s.bean(org.mvfaedge.server.model.ModelRegistry.class).awaitInitialLoad(java.time.Duration.ofMinutes(2));
            HttpResponse<String> r = s.get("/health/readiness", null);
            JsonNode h = json(r, 503);
            assertEquals("DOWN", h.get("status").asText());
            assertTrue(h.get("models").elements().next().asText().startsWith("FAILED"), h.toString());
            assertEquals(200, s.get("/health", null).statusCode());
            byte[] png = Files.readAllBytes(TestPackages.image(0));
            ErrorResponsesTest.problem(s.post("/v1/detect", TestServer.USER_KEY, "image/png", png), 503);
        }
    }
}
