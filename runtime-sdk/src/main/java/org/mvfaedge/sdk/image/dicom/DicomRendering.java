package org.mvfaedge.sdk.image.dicom;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import javax.imageio.ImageIO;

import org.mvfaedge.sdk.image.RgbImage;

/**
 * The step that decides what the model sees: stored values to 8 bits. Grey frames: the modality
 * transform (rescale slope and intercept, or the Modality LUT), then the VOI (the linear window of
 * DICOM PS3.3 C.11.2.1.2, LINEAR_EXACT or SIGMOID as the file's VOI LUT Function says, or min-max),
 * MONOCHROME1 inverted, to 0..255 rounded half up. Colour frames: RGB scaled to 8 bits, YBR_FULL
 * converted to RGB (PS3.3 C.7.6.3.1.2), PALETTE COLOR looked up.
 */
public final class DicomRendering {
    private DicomRendering() {
    }

    /** A rendered frame: 1 (grey) or 3 (RGB) 8-bit channels, and the window used (null for colour). */
    public record Rendered(int width, int height, int channels, byte[] samples, String window) {
        public RgbImage toRgbImage() {
            return RgbImage.fromRaw(samples, width, height, channels);
        }

        /** As PNG: 8-bit grey or RGB, at the source's resolution. */
        public byte[] png() {
            BufferedImage img = new BufferedImage(width, height,
                    channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
            if (channels == 1) {
                img.getRaster().setDataElements(0, 0, width, height, samples);
            } else {
                int[] px = new int[samples.length];
                for (int i = 0; i < px.length; i++) {
                    px[i] = samples[i] & 0xff;
                }
                img.getRaster().setPixels(0, 0, width, height, px);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                ImageIO.write(img, "png", out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        }
    }

    /** Renders frame {@code frame} (from 1) of {@code image} with {@code window}. */
    public static Rendered render(DicomImage image, int frame, DicomWindow window) {
        StoredFrame s = image.stored(frame);
        if (s.samples() == 3) {
            return colour(s);
        }
        if ("PALETTE COLOR".equals(s.photometric())) {
            return palette(s, image.palette());
        }
        return grey(s, image.frameAttributes(frame), window);
    }

    /** Grey rendering of stored values with the given attributes. */
    public static Rendered grey(StoredFrame s, FrameAttributes a, DicomWindow window) {
        int n = s.width() * s.height();
        double[] m = new double[n];
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            int v = s.values()[i];
            double x = a.modalityLut() != null ? a.modalityLut().apply(v) : v * a.rescaleSlope() + a.rescaleIntercept();
            m[i] = x;
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        byte[] out = new byte[n];
        boolean invert = "MONOCHROME1".equals(s.photometric());
        String used;
        if (window.mode() == DicomWindow.Mode.FIXED
                || window.mode() == DicomWindow.Mode.FILE && a.windowCenter() != null) {
            double c = window.mode() == DicomWindow.Mode.FIXED ? window.center() : a.windowCenter();
            double w = window.mode() == DicomWindow.Mode.FIXED ? window.width() : a.windowWidth();
            String fn = window.mode() == DicomWindow.Mode.FIXED ? "LINEAR" : a.voiFunction();
            used = DicomWindow.fixed(c, w) + ("LINEAR".equals(fn) ? "" : " " + fn);
            for (int i = 0; i < n; i++) {
                out[i] = (byte) finish(voi(m[i], c, w, fn), invert);
            }
        } else {
            used = "minmax";
            double range = max - min;
            for (int i = 0; i < n; i++) {
                double y = range > 0 ? (m[i] - min) / range * 255.0 : 0.0;
                out[i] = (byte) finish(y, invert);
            }
        }
        return new Rendered(s.width(), s.height(), 1, out, used);
    }

    /** The VOI function to 0..255 (unrounded), PS3.3 C.11.2.1.2.1 (LINEAR), .2.2 (LINEAR_EXACT), .2.3 (SIGMOID). */
    static double voi(double x, double c, double w, String fn) {
        if ("SIGMOID".equals(fn)) {
            return 255.0 / (1 + Math.exp(-4 * (x - c) / w));
        }
        if ("LINEAR_EXACT".equals(fn)) {
            if (x <= c - w / 2) {
                return 0;
            }
            if (x > c + w / 2) {
                return 255;
            }
            return ((x - c) / w + 0.5) * 255;
        }
        if (x <= c - 0.5 - (w - 1) / 2) {
            return 0;
        }
        if (x > c - 0.5 + (w - 1) / 2) {
            return 255;
        }
        return ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
    }

    private static int finish(double y, boolean invert) {
        int v = (int) Math.floor(y + 0.5);
        v = Math.max(0, Math.min(255, v));
        return invert ? 255 - v : v;
    }

    private static Rendered colour(StoredFrame s) {
        int n = s.width() * s.height();
        int[] v = s.values();
        byte[] out = new byte[n * 3];
        int max = (1 << s.bitsStored()) - 1;
        boolean ybr = s.photometric().startsWith("YBR");
        for (int i = 0; i < n; i++) {
            int r = to8(v[i * 3], max);
            int g = to8(v[i * 3 + 1], max);
            int b = to8(v[i * 3 + 2], max);
            if (ybr) {
                double y = r;
                double cb = g - 128.0;
                double cr = b - 128.0;
                r = clamp(y + 1.402 * cr);
                g = clamp(y - 0.3441362862 * cb - 0.7141362862 * cr);
                b = clamp(y + 1.772 * cb);
            }
            out[i * 3] = (byte) r;
            out[i * 3 + 1] = (byte) g;
            out[i * 3 + 2] = (byte) b;
        }
        return new Rendered(s.width(), s.height(), 3, out, null);
    }

    private static int to8(int v, int max) {
        if (max == 255) {
            return v & 0xff;
        }
        return (int) ((Math.max(0, v) * 255L + max / 2) / max);
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.floor(v + 0.5)));
    }

    private static Rendered palette(StoredFrame s, Lut[] lut) {
        int n = s.width() * s.height();
        byte[] out = new byte[n * 3];
        for (int i = 0; i < n; i++) {
            int v = s.values()[i];
            for (int c = 0; c < 3; c++) {
                int e = lut[c].apply(v);
                out[i * 3 + c] = (byte) (lut[c].bits() > 8 ? e >> 8 : e);
            }
        }
        return new Rendered(s.width(), s.height(), 3, out, null);
    }
}
