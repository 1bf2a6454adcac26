package org.mvfaedge.server.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.mvfaedge.sdk.detect.DetectionJson;
import org.mvfaedge.sdk.detect.MapGrid;
import org.mvfaedge.server.model.DetectionService;

/**
 * The answer to POST /v1/detect. The body is written by {@link #write}: the SDK's one detection shape
 * ({@link DetectionJson}, the same as {@code predict --json} and {@code Detection.toJson()}) with the
 * server's fields around it. This record is that body's schema in the OpenAPI document;
 * DetectResponseSchemaTest checks that its property names are exactly what the server sends.
 *
 * @param requestId the request id (also the X-Request-Id header)
 * @param model the model that answered
 * @param score calibrated image anomaly score
 * @param decision {@code anomalous} or {@code normal} (score against the package's threshold)
 * @param anomalous the decision as a boolean
 * @param threshold the package's decision threshold on the calibrated score
 * @param width width of the input image in pixels
 * @param height height of the input image in pixels
 * @param raw the graph's raw image scores, before calibration
 * @param regions connected regions of the map above the threshold, in input pixels; {@code []} when none
 * @param timings where the time went, in milliseconds
 * @param map the anomaly map when asked for (map=png or map=array): at the input's resolution, or
 *     proportionally smaller for inputs over mvfa.limits.max-map-pixels (its width, height and scale say so)
 * @param overlay the input with the map as a colour overlay when asked for (overlay=true)
 */
@Serdeable
public record DetectResponse(@JsonProperty("request_id") String requestId, ModelRef model, float score,
        String decision, boolean anomalous, double threshold, int width, int height, Raw raw, List<RegionDto> regions,
        @JsonProperty("timings_ms") TimingsDto timings, @Nullable MapDto map, @Nullable ImageDto overlay) {

    private static final JsonFactory JSON = new JsonFactory();

    /** @param id model id @param version first 12 hex digits of model.onnx's sha256 @param executionProvider provider in use */
    @Serdeable
    public record ModelRef(String id, String version, @JsonProperty("execution_provider") String executionProvider) {
    }

    /** @param zeroScore raw zero-shot image score @param fewScore raw few-shot image score (null: zero-shot package) */
    @Serdeable
    public record Raw(@JsonProperty("zero_score") float zeroScore, @JsonProperty("few_score") @Nullable Float fewScore) {
    }

    /** A connected region above the threshold: bounding box, area in pixels, peak value and its position, mean value. */
    @Serdeable
    public record RegionDto(int x, int y, int width, int height, long area, float peak, @JsonProperty("peak_x") int peakX,
            @JsonProperty("peak_y") int peakY, float mean) {
    }

    /**
     * @param decode image decoding @param preprocess resize and tensor preparation @param inference the graph run
     * @param postprocess calibration, map resampling and regions @param queue waiting for an inference slot
     * @param total from the start of processing to the answer (body upload excluded)
     */
    @Serdeable
    public record TimingsDto(double decode, double preprocess, double inference, double postprocess, double queue,
            double total) {
    }

    /**
     * The anomaly map, row-major: width x height of the input, or proportionally smaller for inputs over the
     * server's mvfa.limits.max-map-pixels (then {@code scale} &lt; 1: map pixels per input pixel).
     *
     * @param encoding {@code png} (base64 in {@code png}, as the SDK's mapPng()) or {@code float32} (values)
     */
    @Serdeable
    public record MapDto(int width, int height, double scale, String encoding, @Nullable String png,
            @Nullable float[] values) {
    }

    /** A PNG image, base64, of width x height ({@code scale} as for the map). */
    @Serdeable
    public record ImageDto(int width, int height, double scale, String encoding, String png) {
    }

    /** The JSON body of the answer (streamed: a large map is never held as a tree). */
    public static byte[] write(DetectionService.Result r, DetectionService.Options options, String requestId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("request_id", requestId);
            g.writeObjectFieldStart("model");
            g.writeStringField("id", r.modelId());
            g.writeStringField("version", r.modelVersion());
            g.writeStringField("execution_provider", r.executionProvider());
            g.writeEndObject();
            DetectionJson.writeFields(g, r.detection(), r.queueMs(), r.totalMs());
            MapGrid grid = r.mapGrid();
            switch (options.map()) {
                case NONE -> {
                }
                case PNG -> {
                    startImage(g, "map", grid, "png");
                    g.writeBinaryField("png", r.mapPng());
                    g.writeEndObject();
                }
                case ARRAY -> {
                    startImage(g, "map", grid, "float32");
                    g.writeFieldName("values");
                    DetectionJson.writeFloats(g, r.mapValues());
                    g.writeEndObject();
                }
            }
            if (r.overlayPng() != null) {
                startImage(g, "overlay", grid, "png");
                g.writeBinaryField("png", r.overlayPng());
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }

    private static void startImage(JsonGenerator g, String name, MapGrid grid, String encoding) throws IOException {
        g.writeObjectFieldStart(name);
        g.writeNumberField("width", grid.width());
        g.writeNumberField("height", grid.height());
        g.writeNumberField("scale", grid.scale());
        g.writeStringField("encoding", encoding);
    }
}
