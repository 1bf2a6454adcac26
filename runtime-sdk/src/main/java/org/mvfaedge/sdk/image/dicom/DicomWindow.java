package org.mvfaedge.sdk.image.dicom;

import java.util.Locale;
import java.util.Objects;

/**
 * Which VOI window renders a grey frame to 8 bits: {@code file} (the file's first window and VOI LUT
 * function, the frame's min-max where it has none), {@code minmax} (the frame's min-max of the modality
 * values), or a fixed {@code center,width}. Text form: {@code file}, {@code minmax} or {@code C,W}.
 */
public record DicomWindow(Mode mode, double center, double width) {
    public enum Mode { FILE, MINMAX, FIXED }

    public static final DicomWindow FILE = new DicomWindow(Mode.FILE, 0, 0);
    public static final DicomWindow MINMAX = new DicomWindow(Mode.MINMAX, 0, 0);

    public DicomWindow {
        Objects.requireNonNull(mode, "mode");
        if (mode == Mode.FIXED && !(width >= 1) || !Double.isFinite(center)) {
            throw new IllegalArgumentException("a DICOM window's width must be at least 1 and its center finite, got "
                    + center + "," + width);
        }
    }

    public static DicomWindow fixed(double center, double width) {
        return new DicomWindow(Mode.FIXED, center, width);
    }

    /** Parses {@code file}, {@code minmax} or {@code <center>,<width>}. */
    public static DicomWindow parse(String text) {
        String t = Objects.requireNonNull(text, "text").trim().toLowerCase(Locale.ROOT);
        if (t.equals("file")) {
            return FILE;
        }
        if (t.equals("minmax")) {
            return MINMAX;
        }
        String[] p = t.split(",");
        if (p.length == 2) {
            try {
                return fixed(Double.parseDouble(p[0].trim()), Double.parseDouble(p[1].trim()));
            } catch (NumberFormatException e) {
                // fall through to the message
            }
        }
        throw new IllegalArgumentException("DICOM window '" + text + "' is not file, minmax or <center>,<width>"
                + " (e.g. 40,400; width at least 1)");
    }

    @Override
    public String toString() {
        return switch (mode) {
            case FILE -> "file";
            case MINMAX -> "minmax";
            case FIXED -> fmt(center) + "," + fmt(width);
        };
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
