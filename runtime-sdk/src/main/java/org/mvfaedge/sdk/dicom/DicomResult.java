package org.mvfaedge.sdk.dicom;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.mvfaedge.sdk.Detection;
import org.mvfaedge.sdk.Region;
import org.mvfaedge.sdk.image.dicom.DicomImage;
import org.mvfaedge.sdk.image.dicom.DicomInfo;
import org.mvfaedge.sdk.image.dicom.DicomRendering;
import org.mvfaedge.sdk.image.dicom.SecondaryCapture;

/**
 * The result of one frame of a DICOM input: its identity ({@link DicomInfo}), the detection, and the
 * 8-bit image the model was given ({@code input}, with the window that rendered it).
 */
public record DicomResult(DicomImage source, DicomInfo info, Detection detection, DicomRendering.Rendered input) {
    /** Area of a region in mm², or null where the file gives no pixel spacing. */
    public Double areaMm2(Region r) {
        return info.areaMm2(r.area());
    }

    /** The window that rendered the input ({@code C,W}, {@code minmax}; null for colour frames). */
    public String window() {
        return input.window();
    }

    /**
     * This frame's result as a DICOM Secondary Capture (the overlay in RGB, score and decision in the
     * series description and an Image Comments line), in the source's study and the series {@code seriesUid}
     * (one per source and run, from {@link SecondaryCapture#newUid()}).
     */
    public byte[] secondaryCapture(String seriesUid, String modelId) {
        Detection d = detection;
        BufferedImage overlay;
        try {
            overlay = ImageIO.read(new ByteArrayInputStream(d.overlayPng()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int w = overlay.getWidth();
        int h = overlay.getHeight();
        byte[] rgb = new byte[w * h * 3];
        int[] row = new int[w];
        for (int y = 0, o = 0; y < h; y++) {
            overlay.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                rgb[o++] = (byte) (row[x] >> 16);
                rgb[o++] = (byte) (row[x] >> 8);
                rgb[o++] = (byte) row[x];
            }
        }
        String decision = d.anomalous() ? "ANOMALOUS" : "normal";
        String description = String.format(Locale.ROOT, "MVFA %s score %.4f", decision, d.score());
        String comments = String.format(Locale.ROOT,
                "MVFA-Edge model %s: score %.4f, threshold %.4f, decision %s, %d region(s), frame %d; "
                        + "research software, not a diagnosis", modelId, d.score(), d.threshold(),
                d.anomalous() ? "anomalous" : "normal", d.regions().size(), info.frame());
        return SecondaryCapture.write(source, rgb, w, h, seriesUid, info.frame(), description, comments);
    }
}
