package org.mvfaedge.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.Detection;
import org.mvfaedge.sdk.ImageDecodeException;
import org.mvfaedge.sdk.detect.DetectionJson;
import org.mvfaedge.sdk.Region;
import org.mvfaedge.sdk.Timings;
import org.mvfaedge.sdk.dicom.DicomDetector;
import org.mvfaedge.sdk.dicom.DicomResult;
import org.mvfaedge.sdk.dicom.FrameSelection;
import org.mvfaedge.sdk.image.dicom.DicomImage;
import org.mvfaedge.sdk.image.dicom.DicomInfo;
import org.mvfaedge.sdk.image.dicom.DicomWindow;
import org.mvfaedge.sdk.image.dicom.SecondaryCapture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code predict}: runs a model package on image files through the SDK and prints one result per
 * image (a line of text, or with {@code --json} one JSON object per line). An image that cannot be
 * read is reported on its own line (stderr, and an {@code error} object with {@code --json}) and
 * the others still run; the exit status is then 2, so no failure goes unnoticed.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Detect anomalies in images with a model package (ONNX Runtime; TensorRT -> CUDA -> CPU).")
public final class PredictCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model package folder (from ./mvfa export).")
    Path model;

    @Option(names = "--overlay", paramLabel = "DIR", description = "Write <image>.overlay.png (heat-map over the image) here.")
    Path overlay;

    @Option(names = "--json", description = "One JSON object per image and line.")
    boolean json;

    @Option(names = "--map", description = "With --json: add the anomaly map (row-major floats at the image's width x height).")
    boolean map;

    @Option(names = "--dicom-window", paramLabel = "file|minmax|C,W",
            description = "DICOM inputs: the VOI window (default: the package's, normally file: the file's first"
                    + " window, else the frame's min-max).")
    String dicomWindow;

    @Option(names = "--frames", paramLabel = "LIST", description = "DICOM inputs: frames to score, e.g. 1,5-9 (default all).")
    String frames;

    @Option(names = "--save-input", paramLabel = "DIR",
            description = "DICOM inputs: write the 8-bit image the model was given as DIR/<stem>.png"
                    + " (multi-frame: DIR/<stem>_f<frame>.png).")
    Path saveInput;

    @Option(names = "--dicom-out", paramLabel = "DIR",
            description = "DICOM inputs: write a Secondary Capture per scored frame (overlay, score and decision)"
                    + " in the source's study: DIR/<stem>[_f<frame>].sc.dcm.")
    Path dicomOut;

    @Mixin
    DetectorOptionsMixin detectorOptions;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files (PNG, JPEG, BMP, TIFF).")
    List<Path> images;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (overlay != null) {
            Files.createDirectories(overlay);
        }
        DicomWindow window = null;
        FrameSelection frameSelection;
        try {
            window = dicomWindow == null ? null : DicomWindow.parse(dicomWindow);
            frameSelection = FrameSelection.parse(frames);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        for (Path dir : new Path[] {saveInput, dicomOut}) {
            if (dir != null) {
                Files.createDirectories(dir);
            }
        }
        int failed = 0;
        java.util.Set<String> overlayNames = new java.util.HashSet<>();
        java.util.Set<String> dicomNames = new java.util.HashSet<>();
        try (AnomalyDetector detector = AnomalyDetector.open(model, detectorOptions.toOptions())) {
            DicomDetector dicom = null;
            for (Path image : images) {
                if (Files.isRegularFile(image) && DicomImage.isDicom(image)) {
                    if (dicom == null) {
                        dicom = new DicomDetector(detector);
                    }
                    if (!predictDicom(dicom, image, window, frameSelection, out, err, overlayNames, dicomNames)) {
                        failed++;
                    }
                    continue;
                }
                Detection d;
                try {
                    d = detector.detect(image);
                } catch (ImageDecodeException e) {
                    failed++;
                    err.println(spec.qualifiedName() + ": " + e.getMessage());
                    if (json) {
                        ObjectNode o = JSON.createObjectNode();
                        o.put("file", image.toString());
                        o.put("error", e.getMessage());
                        o.put("reason", e.reason().name());
                        out.println(JSON.writeValueAsString(o));
                    }
                    continue;
                }
                if (overlay != null) {
                    writeAtomically(overlay.resolve(uniqueName(baseName(image), overlayNames) + ".overlay.png"),
                            d.overlayPng());
                }
                out.println(json ? toJson(image, d, map) : line(image, d));
            }
        }
        out.flush();
        err.flush();
        if (failed > 0) {
            err.println(spec.qualifiedName() + ": " + failed + " of " + images.size() + " image(s) could not be read");
            err.flush();
            return 2;
        }
        return 0;
    }

    /** One DICOM file: a result per selected frame; false (after reporting it) when it cannot be scored. */
    private boolean predictDicom(DicomDetector dicom, Path image, DicomWindow window, FrameSelection selection,
            PrintWriter out, PrintWriter err, java.util.Set<String> overlayNames, java.util.Set<String> dicomNames)
            throws IOException {
        List<DicomResult> results;
        try {
            results = dicom.detect(dicom.read(image), selection, window);
        } catch (ImageDecodeException | IllegalArgumentException e) {
            err.println(spec.qualifiedName() + ": " + e.getMessage());
            if (json) {
                ObjectNode o = JSON.createObjectNode();
                o.put("file", image.toString());
                o.put("error", e.getMessage());
                o.put("reason", e instanceof ImageDecodeException ide ? ide.reason().name() : "FRAMES");
                out.println(JSON.writeValueAsString(o));
            }
            return false;
        }
        boolean multi = results.size() > 1 || results.get(0).source().frameCount() > 1;
        String stem = uniqueName(baseName(image), dicomNames);
        String series = SecondaryCapture.newUid();
        for (DicomResult r : results) {
            Detection d = r.detection();
            String name = multi ? stem + "_f" + r.info().frame() : stem;
            if (saveInput != null) {
                writeAtomically(saveInput.resolve(name + ".png"), r.input().png());
            }
            if (dicomOut != null) {
                writeAtomically(dicomOut.resolve(name + ".sc.dcm"),
                        r.secondaryCapture(series, dicom.modelId()));
            }
            if (overlay != null) {
                writeAtomically(overlay.resolve(uniqueName(name, overlayNames) + ".overlay.png"), d.overlayPng());
            }
            if (json) {
                // the product's one detection shape (DetectionJson), then the DICOM identity added to it
                ObjectNode o = (ObjectNode) JSON.readTree(toJson(image, d, map));
                org.mvfaedge.server.api.DicomAnswers.addDicom(o, r);
                out.println(JSON.writeValueAsString(o));
            } else {
                out.println(line(image, d).replaceFirst(": ", " frame " + r.info().frame() + ": "));
            }
        }
        return true;
    }

    static String baseName(Path image) {
        String n = image.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /** a/scan.png and b/scan.png in one run: the second overlay is scan-2, not a silent overwrite. */
    static String uniqueName(String base, java.util.Set<String> used) {
        String name = base;
        for (int i = 2; !used.add(name); i++) {
            name = base + "-" + i;
        }
        return name;
    }

    private static String line(Path image, Detection d) {
        return String.format(Locale.ROOT, "%s: %s score %.4f (threshold %.4f), %d region(s), %.1f ms", image,
                d.anomalous() ? "ANOMALOUS" : "normal", d.score(), d.threshold(), d.regions().size(),
                d.timings().totalMs());
    }

    /**
     * One line of {@code --json}: the file, then the SDK's detection shape ({@link DetectionJson}, the same
     * as the HTTP answer), then with {@code --map} the map.
     */
    static String toJson(Path image, Detection d, boolean withMap) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.getFactory().createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("file", image.toString());
            DetectionJson.writeFields(g, d);
            if (withMap) {
                g.writeFieldName("map");
                DetectionJson.writeFloats(g, d.map());
            }
            g.writeEndObject();
        }
        return w.toString();
    }

    /** Writes to a temporary file beside {@code target}, then moves it into place: never a partial PNG. */
    static void writeAtomically(Path target, byte[] data) throws IOException {
        org.mvfaedge.sdk.util.AtomicFiles.write(target, data);
    }

}
