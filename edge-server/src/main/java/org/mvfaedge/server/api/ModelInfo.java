package org.mvfaedge.server.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.Map;

/**
 * A served model.
 *
 * @param id the id used in ?model= and the URL
 * @param state {@code LOADING}, {@code READY} or {@code FAILED}
 * @param error why loading failed (FAILED only)
 * @param version first 12 hex digits of model.onnx's sha256
 * @param executionProvider the ONNX Runtime provider in use (TENSORRT, CUDA or CPU)
 * @param path the package folder on the server
 * @param loadedAt when this version was loaded (ISO-8601)
 * @param manifest the package's manifest.json
 */
@Serdeable
public record ModelInfo(String id, String state, @Nullable String error, @Nullable String version,
        @JsonProperty("execution_provider") @Nullable String executionProvider, String path,
        @JsonProperty("loaded_at") @Nullable String loadedAt, @Nullable Map<String, Object> manifest) {
}
