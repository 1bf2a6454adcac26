package org.mvfaedge.server;

import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.util.Map;

/** Liveness: the process is up and serving HTTP. Readiness arrives with the model registry. */
@Controller("/health")
public class HealthController {
    @Get(produces = MediaType.APPLICATION_JSON)
    public Map<String, String> liveness() {
        return Map.of("status", "UP");
    }
}
