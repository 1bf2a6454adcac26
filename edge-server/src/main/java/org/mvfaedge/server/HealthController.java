package org.mvfaedge.server;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mvfaedge.server.model.ModelRegistry;
import org.mvfaedge.server.security.OpenAccess;

/**
 * Liveness (GET /health, /health/liveness: the process serves HTTP) and readiness (GET /health/readiness:
 * 200 only once every model is loaded and warmed up with one inference, 503 before or after a failure).
 */
@Controller("/health")
@Tag(name = "health")
@OpenAccess
public class HealthController {
    private final ModelRegistry registry;

    public HealthController(ModelRegistry registry) {
        this.registry = registry;
    }

    /** @param status UP or DOWN @param models each model's state (readiness only) */
    @Serdeable
    public record Health(String status, Map<String, String> models) {
    }

    /** @return UP while the process serves HTTP */
    @Operation(summary = "Liveness")
    @Get(produces = MediaType.APPLICATION_JSON)
    public Health liveness() {
        return new Health("UP", Map.of());
    }

    /** @return UP while the process serves HTTP */
    @Operation(summary = "Liveness")
    @Get(uri = "/liveness", produces = MediaType.APPLICATION_JSON)
    public Health livenessAlias() {
        return liveness();
    }

    /** @return UP (200) when every model is ready, else DOWN (503) with each model's state */
    @Operation(summary = "Readiness: every model loaded and warmed up")
    @Get(uri = "/readiness", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<Health> readiness() {
        Map<String, String> models = new LinkedHashMap<>();
        for (ModelRegistry.Slot s : registry.slots()) {
            models.put(s.id(), s.state() == ModelRegistry.State.FAILED ? "FAILED: " + s.error() : s.state().name());
        }
        boolean ready = registry.ready();
        return HttpResponse.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                .body(new Health(ready ? "UP" : "DOWN", models));
    }
}
