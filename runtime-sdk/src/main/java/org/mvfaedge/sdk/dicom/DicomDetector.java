package org.mvfaedge.sdk.dicom;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.Cancellation;
import org.mvfaedge.sdk.Detection;
import org.mvfaedge.sdk.ImageInput;
import org.mvfaedge.sdk.RawImage;
import org.mvfaedge.sdk.image.dicom.DicomImage;
import org.mvfaedge.sdk.image.dicom.DicomRendering;
import org.mvfaedge.sdk.image.dicom.DicomWindow;

/**
 * Scores DICOM images with an {@link AnomalyDetector}: every selected frame rendered to 8 bits with the
 * package's window policy (its {@code dicom} section) or the caller's, then detected, one
 * {@link DicomResult} per frame in frame order. Frames go to the model in batches of the detector's
 * {@code maxBatch}, so a long multi-frame series never has all its rendered frames in memory at once.
 */
public final class DicomDetector {
    private final AnomalyDetector detector;
    private final DicomSettings settings;

    public DicomDetector(AnomalyDetector detector) {
        this.detector = Objects.requireNonNull(detector, "detector");
        this.settings = DicomSettings.read(detector.modelPackage().dir());
    }

    /** The package's model id (for the Secondary Captures' comments). */
    public String modelId() {
        return detector.manifest().modelId();
    }

    /** The package's DICOM settings. */
    public DicomSettings settings() {
        return settings;
    }

    /** Reads a DICOM file (pixel limit of the detector's options) without decoding its frames. */
    public DicomImage read(Path file) {
        return DicomImage.read(file, detector.options().maxPixels());
    }

    /** Reads DICOM bytes without decoding its frames. */
    public DicomImage read(byte[] data) {
        return DicomImage.read(data, detector.options().maxPixels());
    }

    /**
     * Scores the selected frames of {@code image}.
     *
     * @param window the window for this call, or null for the package's
     * @throws IllegalArgumentException if a selected frame is past the image's last
     */
    public List<DicomResult> detect(DicomImage image, FrameSelection frames, DicomWindow window) {
        return detect(image, frames, window, null);
    }

    /**
     * As {@link #detect(DicomImage, FrameSelection, DicomWindow)}, stopped when {@code cancellation} (null:
     * none) is requested, as {@link AnomalyDetector#detectAll(List, Cancellation)}.
     */
    public List<DicomResult> detect(DicomImage image, FrameSelection frames, DicomWindow window,
            Cancellation cancellation) {
        DicomWindow w = window != null ? window : settings.window();
        int[] selected = frames.resolve(image.frameCount());
        List<DicomResult> out = new ArrayList<>(selected.length);
        int batch = Math.max(1, detector.options().maxBatch());
        for (int from = 0; from < selected.length; from += batch) {
            int to = Math.min(selected.length, from + batch);
            List<DicomRendering.Rendered> rendered = new ArrayList<>();
            List<ImageInput> inputs = new ArrayList<>();
            for (int i = from; i < to; i++) {
                DicomRendering.Rendered r = DicomRendering.render(image, selected[i], w);
                rendered.add(r);
                inputs.add(ImageInput.of(r.channels() == 1 ? RawImage.grey8(r.samples(), r.width(), r.height())
                        : RawImage.rgb8(r.samples(), r.width(), r.height())));
            }
            List<Detection> ds = cancellation == null ? detector.detectAll(inputs)
                    : detector.detectAll(inputs, cancellation);
            for (int i = from; i < to; i++) {
                out.add(new DicomResult(image, image.info(selected[i]), ds.get(i - from), rendered.get(i - from)));
            }
        }
        return out;
    }
}
