package org.mvfaedge.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import org.mvfaedge.sdk.Detection;
import org.mvfaedge.sdk.detect.DetectionJson;
import org.mvfaedge.sdk.ImageDecodeException;
import org.mvfaedge.sdk.Region;
import org.mvfaedge.sdk.Timings;
import org.mvfaedge.sdk.detect.MapGrid;
import org.mvfaedge.sdk.dicom.DicomResult;
import org.mvfaedge.sdk.dicom.FrameSelection;
import org.mvfaedge.sdk.image.dicom.DicomInfo;
import org.mvfaedge.sdk.image.dicom.DicomWindow;
import org.mvfaedge.sdk.image.dicom.SecondaryCapture;
import org.mvfaedge.server.http.ApiException;
import org.mvfaedge.server.http.RequestIds;
import org.mvfaedge.server.model.DetectionService;

/**
 * POST /v1/detect with a DICOM body (raw {@code application/dicom}, octet-stream or a multipart part):
 * every selected frame in one JSON body ({@code frames}, snake_case fields, each with its {@code dicom}
 * identity and region areas in mm² where the pixel spacing is known), or with {@code Accept:
 * application/dicom} the Secondary Capture of its one frame. A DICOM the SDK cannot score is a 422 (the
 * media type is supported; this content is not), its message naming what is wrong by tag, never by value.
 */
public final class DicomAnswers {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MAP_PIXELS_PER_FRAME = 4_000_000;

    private DicomAnswers() {
    }

    static HttpResponse<byte[]> run(DetectionService service, HttpRequest<?> request, byte[] body, String model,
            String map, String overlay, String frames, String window) {
        FrameSelection selection;
        DicomWindow w;
        try {
            selection = FrameSelection.parse(frames);
            w = window == null || window.isBlank() ? null : DicomWindow.parse(window);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid-parameter", e.getMessage());
        }
        DetectionService.Options options = new DetectionService.Options(DetectController.mapFormat(map),
                DetectController.flag("overlay", overlay));
        boolean wantsDicom = request.getHeaders().accept().stream()
                .anyMatch(m -> DetectController.APPLICATION_DICOM.equals(m.getName()));
        String rid = RequestIds.of(request);
        byte[] answer;
        try {
            answer = service.detectDicom(model, body, selection, w, rid,
                    o -> wantsDicom ? capture(o) : json(o, options, rid));
        } catch (ImageDecodeException e) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "unprocessable-dicom", "DICOM cannot be scored",
                    e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "invalid-frames", "Frames not in the image",
                    e.getMessage());
        }
        return HttpResponse.ok(answer).contentType(wantsDicom ? MediaType.of(DetectController.APPLICATION_DICOM)
                : MediaType.APPLICATION_JSON_TYPE);
    }

    private static byte[] capture(DetectionService.DicomOutcome o) {
        if (o.results().size() != 1) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "one-frame-for-dicom", "One frame per capture",
                    "Accept: application/dicom answers one Secondary Capture: choose one of the "
                            + o.results().size() + " frames with frames=N, or ask for JSON.");
        }
        return o.results().get(0).secondaryCapture(SecondaryCapture.newUid(), o.modelId());
    }

    private static byte[] json(DetectionService.DicomOutcome o, DetectionService.Options options, String rid) {
        ObjectNode root = JSON.createObjectNode();
        root.put("request_id", rid);
        ObjectNode m = root.putObject("model");
        m.put("id", o.modelId());
        m.put("version", o.modelVersion());
        m.put("execution_provider", o.executionProvider());
        ArrayNode frames = root.putArray("frames");
        for (DicomResult r : o.results()) {
            frames.add(frame(r, options));
        }
        ObjectNode t = root.putObject("timings_ms"); // as in a detection's own timings_ms
        t.put("queue", o.queueMs());
        t.put("total", o.totalMs());
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds a result's DICOM identity to its detection JSON, and region areas in mm² where the pixel spacing is known. */
    public static void addDicom(ObjectNode o, DicomResult r) {
        DicomInfo info = r.info();
        ObjectNode dn = o.putObject("dicom");
        dn.put("sop_instance_uid", info.sopInstanceUid());
        dn.put("series_instance_uid", info.seriesInstanceUid());
        dn.put("study_instance_uid", info.studyInstanceUid());
        dn.put("frame", info.frame());
        if (info.pixelSpacing() == null) {
            dn.putNull("pixel_spacing");
        } else {
            dn.putArray("pixel_spacing").add(info.pixelSpacing()[0]).add(info.pixelSpacing()[1]);
        }
        dn.put("window", r.window());
        if (o.get("regions") instanceof ArrayNode regions) {
            List<Region> rs = r.detection().regions();
            for (int i = 0; i < regions.size() && i < rs.size(); i++) {
                Double mm2 = r.areaMm2(rs.get(i));
                if (mm2 != null) {
                    ((ObjectNode) regions.get(i)).put("area_mm2", mm2);
                }
            }
        }
    }

    /** One frame's result: the fields of a detection's answer, plus its DICOM identity. */
    static ObjectNode frame(DicomResult r, DetectionService.Options options) {
        Detection d = r.detection();
        // the product's one detection shape (DetectionJson), then the frame's DICOM identity added to it
        ObjectNode f;
        try {
            f = (ObjectNode) JSON.readTree(DetectionJson.toJson(d));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        addDicom(f, r);
        if (options.map() != DetectionService.MapFormat.NONE || options.overlay()) {
            MapGrid g = MapGrid.fit(d.width(), d.height(), MAX_MAP_PIXELS_PER_FRAME);
            if (options.map() == DetectionService.MapFormat.PNG) {
                ObjectNode mp = f.putObject("map");
                mp.put("width", g.width());
                mp.put("height", g.height());
                mp.put("scale", g.scale());
                mp.put("encoding", "png");
                mp.put("png", Base64.getEncoder().encodeToString(d.mapPng(g.width(), g.height())));
            } else if (options.map() == DetectionService.MapFormat.ARRAY) {
                ObjectNode mp = f.putObject("map");
                mp.put("width", g.width());
                mp.put("height", g.height());
                mp.put("scale", g.scale());
                mp.put("encoding", "float32");
                ArrayNode v = mp.putArray("values");
                for (float x : d.map(g.width(), g.height())) {
                    v.add(x);
                }
            }
            if (options.overlay()) {
                ObjectNode ov = f.putObject("overlay");
                ov.put("width", g.width());
                ov.put("height", g.height());
                ov.put("scale", g.scale());
                ov.put("encoding", "png");
                ov.put("png", Base64.getEncoder().encodeToString(d.overlayPng(g.width(), g.height())));
            }
        }
        return f;
    }

}
