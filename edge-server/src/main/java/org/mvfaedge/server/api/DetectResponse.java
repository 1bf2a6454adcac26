package org.mvfaedge.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.Base64;
import java.util.List;
import org.mvfaedge.sdk.Detection;
import org.mvfaedge.sdk.detect.MapGrid;
import org.mvfaedge.sdk.Region;
import org.mvfaedge.sdk.Timings;
import org.mvfaedge.server.model.DetectionService;

/**
 * The answer to POST /v1/detect.
 *
 * @param requestId the request id (also the X-Request-Id header)
 * @param model the model that answered
 * @param score calibrated image anomaly score
 * @param decision {@code anomalous} or {@code normal} (score against the package's threshold)
 * @param anomalous the decision as a boolean
 * @param threshold the package's decision threshold on the calibrated score
 * @param width width of the input image in pixels (the map's width)
 * @param height height of the input image in pixels (the map's height)
 * @param regions connected regions of the map above the threshold, in input pixels; always present,
 *     {@code []} when there are none (the serializer would otherwise drop an empty list, and a
 *     client could not tell "no region" from "field missing")
 * @param timings where the time went, in milliseconds
 * @param map the anomaly map when asked for (map=png or map=array): at the input's resolution, or
 *     proportionally smaller for inputs over mvfa.limits.max-map-pixels (its width, height and scale say so)
 * @param overlay the input with the map as a colour overlay when asked for (overlay=true)
 */
@Serdeable
public record DetectResponse(String requestId, ModelRef model, float score, String decision, boolean anomalous,
        double threshold, int width, int height, @JsonInclude(JsonInclude.Include.ALWAYS) List<RegionDto> regions,
        TimingsDto timings, @Nullable MapDto map,
        @Nullable ImageDto overlay) {

    /** @param id model id @param version first 12 hex digits of model.onnx's sha256 @param executionProvider provider in use */
    @Serdeable
    public record ModelRef(String id, String version, String executionProvider) {
    }

    /**
     * A connected region above the threshold: bounding box, area in pixels, peak value and its position,
     * mean value.
     */
    @Serdeable
    public record RegionDto(int x, int y, int width, int height, long area, float peak, int peakX, int peakY, float mean) {
        static RegionDto of(Region r) {
            return new RegionDto(r.x(), r.y(), r.width(), r.height(), r.area(), r.peak(), r.peakX(), r.peakY(), r.mean());
        }
    }

    /**
     * @param decodeMs image decoding @param preprocessMs resize and tensor preparation @param inferenceMs the
     * graph run @param postprocessMs calibration, map resampling and regions @param queueMs waiting for an
     * inference slot @param totalMs from the start of processing to the answer (body upload excluded)
     */
    @Serdeable
    public record TimingsDto(double decodeMs, double preprocessMs, double inferenceMs, double postprocessMs,
            double queueMs, double totalMs) {
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

    public static DetectResponse of(DetectionService.Result r, DetectionService.Options options, String requestId) {
        Detection d = r.detection();
        Timings t = d.timings();
        MapGrid g = r.mapGrid();
        MapDto map = switch (options.map()) {
            case NONE -> null;
            case PNG -> new MapDto(g.width(), g.height(), g.scale(), "png", Base64.getEncoder().encodeToString(r.mapPng()),
                    null);
            case ARRAY -> new MapDto(g.width(), g.height(), g.scale(), "float32", null, r.mapValues());
        };
        ImageDto overlay = r.overlayPng() == null ? null
                : new ImageDto(g.width(), g.height(), g.scale(), "png", Base64.getEncoder().encodeToString(r.overlayPng()));
        return new DetectResponse(requestId, new ModelRef(r.modelId(), r.modelVersion(), r.executionProvider()), d.score(),
                d.anomalous() ? "anomalous" : "normal", d.anomalous(), d.threshold(), d.width(), d.height(),
                d.regions().stream().map(RegionDto::of).toList(),
                new TimingsDto(t.decodeMs(), t.preprocessMs(), t.inferenceMs(), t.postprocessMs(), r.queueMs(), r.totalMs()),
                map, overlay);
    }
}
