package org.mvfaedge.server.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Part;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.multipart.CompletedFileUpload;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import org.mvfaedge.server.http.ApiException;
import org.mvfaedge.server.http.RequestIds;
import org.mvfaedge.sdk.image.dicom.DicomImage;
import org.mvfaedge.server.model.DetectionService;

/** POST /v1/detect: one image in, score, decision, regions and optionally the map or an overlay out. */
@Controller("/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "detect")
public class DetectController {
    static final String IMAGE_TIFF = "image/tiff";
    static final String IMAGE_BMP = "image/bmp";
    static final String APPLICATION_DICOM = "application/dicom";

    private final DetectionService service;

    public DetectController(DetectionService service) {
        this.service = service;
    }

    /**
     * Detects anomalies in one image sent as the raw body (PNG 8/16-bit, JPEG, TIFF, BMP).
     *
     * @param model model id; optional when the server serves one model
     * @param map {@code none} (default), {@code png} (base64 PNG) or {@code array} (float values, row-major)
     * @param overlay {@code true} to add the image with the map as a colour overlay (base64 PNG)
     * @param frames DICOM input: frames to score, e.g. {@code 1,5-9} (default all)
     * @param dicomWindow DICOM input: {@code file}, {@code minmax} or {@code <center>,<width>} (default: the package's)
     * @return the detection (a DICOM input: {@code frames}, one entry per frame; with
     *     {@code Accept: application/dicom}, the Secondary Capture of its one frame)
     */
    @Operation(summary = "Detect anomalies in an image (raw body)")
    @Post(uri = "/detect", consumes = {MediaType.IMAGE_PNG, MediaType.IMAGE_JPEG, IMAGE_TIFF, IMAGE_BMP,
        MediaType.APPLICATION_OCTET_STREAM, APPLICATION_DICOM}, produces = {MediaType.APPLICATION_JSON, APPLICATION_DICOM})
    @ApiResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = DetectResponse.class)))
    public HttpResponse<byte[]> detect(HttpRequest<?> request, @Body @Nullable byte[] body, @QueryValue @Nullable String model,
            @QueryValue(defaultValue = "none") String map, @QueryValue(defaultValue = "false") String overlay,
            @QueryValue @Nullable String frames, @QueryValue("dicom_window") @Nullable String dicomWindow) {
        if (body != null && DicomImage.isDicom(body)) {
            return DicomAnswers.run(service, request, body, model, map, overlay, frames, dicomWindow);
        }
        return run(request, body, model, map, overlay);
    }

    /**
     * Detects anomalies in one image sent as the multipart/form-data field {@code image}.
     *
     * @param model model id; optional when the server serves one model
     * @param map {@code none} (default), {@code png} or {@code array}
     * @param overlay {@code true} to add a colour overlay
     * @return the detection
     */
    @Operation(summary = "Detect anomalies in an image (multipart field 'image')")
    @Post(uri = "/detect", consumes = MediaType.MULTIPART_FORM_DATA, produces = {MediaType.APPLICATION_JSON, APPLICATION_DICOM})
    @ApiResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = DetectResponse.class)))
    public HttpResponse<byte[]> detectMultipart(HttpRequest<?> request, @Part("image") @Nullable CompletedFileUpload image,
            @QueryValue @Nullable String model, @QueryValue(defaultValue = "none") String map,
            @QueryValue(defaultValue = "false") String overlay, @QueryValue @Nullable String frames,
            @QueryValue("dicom_window") @Nullable String dicomWindow) {
        if (image == null) {
            throw ApiException.badRequest("missing-image-field",
                    "The multipart body has no field 'image': send the image file as the form field named image.");
        }
        byte[] bytes;
        try {
            bytes = image.getBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (DicomImage.isDicom(bytes)) {
            return DicomAnswers.run(service, request, bytes, model, map, overlay, frames, dicomWindow);
        }
        return run(request, bytes, model, map, overlay);
    }

    private HttpResponse<byte[]> run(HttpRequest<?> request, byte[] body, String model, String map, String overlay) {
        DetectionService.Options options = new DetectionService.Options(mapFormat(map), flag("overlay", overlay));
        String rid = RequestIds.of(request);
        // serialised inside the inference slot and the deadline (a large map must not be built outside both)
        byte[] answer = service.detect(model, body, options, rid, r -> DetectResponse.write(r, options, rid));
        return HttpResponse.ok(answer).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    static DetectionService.MapFormat mapFormat(String map) {
        try {
            return DetectionService.MapFormat.valueOf(map.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid-parameter", "map must be none, png or array (got '" + clip(map) + "').");
        }
    }

    static boolean flag(String name, String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no", "" -> false;
            default -> throw ApiException.badRequest("invalid-parameter", name + " must be true or false (got '"
                    + clip(value) + "').");
        };
    }

    private static String clip(String s) {
        String t = s.length() > 20 ? s.substring(0, 20) + "..." : s;
        return t.replaceAll("[^A-Za-z0-9._-]", "?");
    }
}
