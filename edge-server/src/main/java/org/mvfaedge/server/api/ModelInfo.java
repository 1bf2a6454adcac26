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
 * @param loadedAt when this version was loaded (ISO-8601)
 * @param manifest the package's manifest.json, less what can identify people or the server: the support
 *     images' file names (which can carry patient identifiers) are replaced by their count, and the source
 *     files keep their hash and file name only, no folder. The package folder on the server is not shown:
 *     the id names the model.
 */
@Serdeable
public record ModelInfo(String id, String state, @Nullable String error, @Nullable String version,
        @JsonProperty("execution_provider") @Nullable String executionProvider,
        @JsonProperty("loaded_at") @Nullable String loadedAt, @Nullable Map<String, Object> manifest) {
}
