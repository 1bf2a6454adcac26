package org.mvfaedge.sdk.image.dicom;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.TreeMap;

/**
 * Writes a 16-bit grey image as a DICOM MR Image (explicit VR little endian, Part 10) with a rescale and
 * a window: what a scanner hands over, for the demo and for tests that need DICOM made from known pixels.
 * Carries the attributes this product reads (identity, pixel module, rescale, window, spacing); it is not
 * a complete MR acquisition description.
 */
public final class GreyImageWriter {
    static final String MR_IMAGE = "1.2.840.10008.5.1.4.1.1.4";

    private GreyImageWriter() {
    }

    /**
     * @param stored the stored values, unsigned 16-bit (0..65535), row-major
     * @param slope rescale slope; {@code intercept} its intercept (modality value = stored * slope + intercept)
     * @param center window center, {@code width} its width (width at least 1)
     * @param spacingMm pixel spacing (the same along rows and columns), or 0 for none
     */
    public static byte[] mr16(short[] stored, int width, int height, double slope, double intercept, double center,
            double winWidth, double spacingMm, String patientId, String studyUid, String seriesUid, String sopUid,
            int instanceNumber) {
        if (stored.length != width * height) {
            throw new IllegalArgumentException(stored.length + " values for " + width + " x " + height);
        }
        TreeMap<Integer, byte[]> ds = new TreeMap<>(Integer::compareUnsigned);
        SecondaryCapture.put(ds, 0x00080008, "CS", SecondaryCapture.text("DERIVED\\SECONDARY", "CS"));
        SecondaryCapture.put(ds, Tags.SOP_CLASS_UID, "UI", SecondaryCapture.text(MR_IMAGE, "UI"));
        SecondaryCapture.put(ds, Tags.SOP_INSTANCE_UID, "UI", SecondaryCapture.text(sopUid, "UI"));
        SecondaryCapture.put(ds, Tags.MODALITY, "CS", SecondaryCapture.text("MR", "CS"));
        SecondaryCapture.put(ds, Tags.PATIENT_NAME, "PN", SecondaryCapture.text("Demo^Phantom", "PN"));
        SecondaryCapture.put(ds, Tags.PATIENT_ID, "LO", SecondaryCapture.text(patientId, "LO"));
        SecondaryCapture.put(ds, Tags.STUDY_INSTANCE_UID, "UI", SecondaryCapture.text(studyUid, "UI"));
        SecondaryCapture.put(ds, Tags.SERIES_INSTANCE_UID, "UI", SecondaryCapture.text(seriesUid, "UI"));
        SecondaryCapture.put(ds, Tags.INSTANCE_NUMBER, "IS",
                SecondaryCapture.text(Integer.toString(instanceNumber), "IS"));
        SecondaryCapture.put(ds, Tags.SAMPLES_PER_PIXEL, "US", SecondaryCapture.us(1));
        SecondaryCapture.put(ds, Tags.PHOTOMETRIC, "CS", SecondaryCapture.text("MONOCHROME2", "CS"));
        SecondaryCapture.put(ds, Tags.ROWS, "US", SecondaryCapture.us(height));
        SecondaryCapture.put(ds, Tags.COLUMNS, "US", SecondaryCapture.us(width));
        if (spacingMm > 0) {
            String sp = ds(spacingMm);
            SecondaryCapture.put(ds, Tags.PIXEL_SPACING, "DS", SecondaryCapture.text(sp + "\\" + sp, "DS"));
        }
        SecondaryCapture.put(ds, Tags.BITS_ALLOCATED, "US", SecondaryCapture.us(16));
        SecondaryCapture.put(ds, Tags.BITS_STORED, "US", SecondaryCapture.us(16));
        SecondaryCapture.put(ds, Tags.HIGH_BIT, "US", SecondaryCapture.us(15));
        SecondaryCapture.put(ds, Tags.PIXEL_REPRESENTATION, "US", SecondaryCapture.us(0));
        SecondaryCapture.put(ds, Tags.WINDOW_CENTER, "DS", SecondaryCapture.text(ds(center), "DS"));
        SecondaryCapture.put(ds, Tags.WINDOW_WIDTH, "DS", SecondaryCapture.text(ds(winWidth), "DS"));
        SecondaryCapture.put(ds, Tags.RESCALE_INTERCEPT, "DS", SecondaryCapture.text(ds(intercept), "DS"));
        SecondaryCapture.put(ds, Tags.RESCALE_SLOPE, "DS", SecondaryCapture.text(ds(slope), "DS"));
        ByteBuffer px = ByteBuffer.allocate(stored.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        px.asShortBuffer().put(stored);
        SecondaryCapture.put(ds, Tags.PIXEL_DATA, "OW", px.array());
        return SecondaryCapture.part10(MR_IMAGE, sopUid, ds, stored.length * 2);
    }

    /** A DS value (at most 16 characters). */
    private static String ds(double v) {
        String s = v == Math.rint(v) && Math.abs(v) < 1e12 ? Long.toString((long) v)
                : String.format(Locale.ROOT, "%.6g", v).replaceAll("0+$", "");
        return s.length() <= 16 ? s : String.format(Locale.ROOT, "%.8e", v);
    }
}
