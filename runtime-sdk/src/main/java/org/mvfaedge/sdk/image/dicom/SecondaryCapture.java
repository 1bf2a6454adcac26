package org.mvfaedge.sdk.image.dicom;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Writes a result as a DICOM Secondary Capture Image (SOP class 1.2.840.10008.5.1.4.1.1.7), Part 10,
 * explicit VR little endian: an 8-bit RGB picture (the overlay) in the source's study and a new series,
 * with the patient and study attributes copied from the source and nothing else of it. The score and
 * decision go in Series Description and Image Comments. Hand-written for the same reason as the parser
 * (no DICOM writer on Maven Central); validated in the tests by dicom3tools' {@code dciodvfy} and read
 * back by pydicom.
 */
public final class SecondaryCapture {
    static final String SOP_CLASS = "1.2.840.10008.5.1.4.1.1.7";
    /** This product's implementation class UID (a 2.25 UUID-derived root, fixed). */
    static final String IMPLEMENTATION_UID = "2.25.217480152365437816830126542718613734321";
    static final String IMPLEMENTATION_VERSION = "MVFA_EDGE_1";

    /** Patient and study attributes copied from the source, with their VRs (an implicit source has none). */
    private static final Map<Integer, String> COPIED = Map.ofEntries(Map.entry(Tags.SPECIFIC_CHARACTER_SET, "CS"),
            Map.entry(Tags.STUDY_DATE, "DA"), Map.entry(Tags.STUDY_TIME, "TM"), Map.entry(Tags.ACCESSION_NUMBER, "SH"),
            Map.entry(Tags.REFERRING_PHYSICIAN, "PN"), Map.entry(Tags.STUDY_DESCRIPTION, "LO"),
            Map.entry(Tags.PATIENT_NAME, "PN"), Map.entry(Tags.PATIENT_ID, "LO"),
            Map.entry(Tags.PATIENT_BIRTH_DATE, "DA"), Map.entry(Tags.PATIENT_SEX, "CS"),
            Map.entry(Tags.STUDY_INSTANCE_UID, "UI"), Map.entry(Tags.STUDY_ID, "SH"));

    private SecondaryCapture() {
    }

    /** A new UID under 2.25 (PS3.5 B.2: a UUID as a decimal integer). */
    public static String newUid() {
        UUID u = UUID.randomUUID();
        ByteBuffer b = ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
        return "2.25." + new BigInteger(1, b.array());
    }

    /**
     * The Part 10 bytes of one Secondary Capture.
     *
     * @param source the scored DICOM image (patient and study attributes are copied from it)
     * @param rgb interleaved 8-bit RGB, {@code width * height * 3} bytes
     * @param seriesUid the new series (one per run: all frames of a source go in one series)
     * @param instanceNumber the instance number in that series (the frame number)
     * @param seriesDescription e.g. "MVFA anomaly ANOMALOUS score 0.8123"
     * @param comments the Image Comments line
     */
    public static byte[] write(DicomImage source, byte[] rgb, int width, int height, String seriesUid,
            int instanceNumber, String seriesDescription, String comments) {
        Objects.requireNonNull(source, "source");
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("rgb holds " + rgb.length + " bytes, " + width + " x " + height
                    + " x 3 needs " + (width * height * 3));
        }
        String sop = newUid();
        TreeMap<Integer, byte[]> ds = new TreeMap<>(Integer::compareUnsigned);
        DicomObject src = source.dataset();
        for (Map.Entry<Integer, String> e : COPIED.entrySet()) {
            byte[] v = src.bytes(e.getKey());
            if (v != null) {
                put(ds, e.getKey(), e.getValue(), pad(v, e.getValue()));
            }
        }
        String studyUid = src.string(Tags.STUDY_INSTANCE_UID);
        if (studyUid == null) {
            // a source without a study: the capture still needs one (type 1)
            put(ds, Tags.STUDY_INSTANCE_UID, "UI", text(newUid(), "UI"));
        }
        // type 2 attributes the source may lack: present, empty
        for (int tag : new int[] {Tags.PATIENT_NAME, Tags.PATIENT_ID, Tags.PATIENT_BIRTH_DATE, Tags.PATIENT_SEX,
            Tags.STUDY_DATE, Tags.STUDY_TIME, Tags.REFERRING_PHYSICIAN, Tags.STUDY_ID, Tags.ACCESSION_NUMBER}) {
            ds.putIfAbsent(tag, element(tag, COPIED.get(tag), new byte[0]));
        }
        LocalDateTime now = LocalDateTime.now();
        String date = now.format(DateTimeFormatter.BASIC_ISO_DATE);
        String time = now.format(DateTimeFormatter.ofPattern("HHmmss"));
        put(ds, 0x00080008, "CS", text("DERIVED\\SECONDARY", "CS"));
        put(ds, Tags.SOP_CLASS_UID, "UI", text(SOP_CLASS, "UI"));
        put(ds, Tags.SOP_INSTANCE_UID, "UI", text(sop, "UI"));
        put(ds, Tags.SERIES_DATE, "DA", text(date, "DA"));
        put(ds, Tags.CONTENT_DATE, "DA", text(date, "DA"));
        put(ds, Tags.SERIES_TIME, "TM", text(time, "TM"));
        put(ds, Tags.CONTENT_TIME, "TM", text(time, "TM"));
        put(ds, Tags.MODALITY, "CS", text("OT", "CS"));
        put(ds, Tags.CONVERSION_TYPE, "CS", text("WSD", "CS"));
        put(ds, 0x00080070, "LO", text("MVFA-Edge", "LO"));
        put(ds, Tags.SERIES_DESCRIPTION, "LO", text(limit(seriesDescription, 64), "LO"));
        put(ds, Tags.DERIVATION_DESCRIPTION, "ST", text("Anomaly map of an MVFA-Edge model over the source image", "ST"));
        put(ds, Tags.SERIES_INSTANCE_UID, "UI", text(seriesUid, "UI"));
        put(ds, Tags.SERIES_NUMBER, "IS", new byte[0]);
        put(ds, Tags.INSTANCE_NUMBER, "IS", text(Integer.toString(instanceNumber), "IS"));
        put(ds, Tags.PATIENT_ORIENTATION, "CS", new byte[0]);
        put(ds, 0x00200060, "CS", new byte[0]); // Laterality: type 2C, unknown for a derived picture
        put(ds, Tags.IMAGE_COMMENTS, "LT", text(limit(comments, 10240), "LT"));
        put(ds, Tags.SAMPLES_PER_PIXEL, "US", us(3));
        put(ds, Tags.PHOTOMETRIC, "CS", text("RGB", "CS"));
        put(ds, Tags.PLANAR_CONFIGURATION, "US", us(0));
        put(ds, Tags.ROWS, "US", us(height));
        put(ds, Tags.COLUMNS, "US", us(width));
        put(ds, Tags.BITS_ALLOCATED, "US", us(8));
        put(ds, Tags.BITS_STORED, "US", us(8));
        put(ds, Tags.HIGH_BIT, "US", us(7));
        put(ds, Tags.PIXEL_REPRESENTATION, "US", us(0));
        put(ds, Tags.BURNED_IN_ANNOTATION, "CS", text("NO", "CS"));
        put(ds, Tags.PIXEL_DATA, "OB", pad(rgb, "OB"));

        TreeMap<Integer, byte[]> meta = new TreeMap<>(Integer::compareUnsigned);
        put(meta, 0x00020001, "OB", new byte[] {0, 1});
        put(meta, 0x00020002, "UI", text(SOP_CLASS, "UI"));
        put(meta, 0x00020003, "UI", text(sop, "UI"));
        put(meta, Tags.TRANSFER_SYNTAX, "UI", text(DicomParser.EXPLICIT_LE, "UI"));
        put(meta, 0x00020012, "UI", text(IMPLEMENTATION_UID, "UI"));
        put(meta, 0x00020013, "SH", text(IMPLEMENTATION_VERSION, "SH"));
        int metaLen = meta.values().stream().mapToInt(b -> b.length).sum();
        ByteArrayOutputStream out = new ByteArrayOutputStream(rgb.length + 4096);
        out.writeBytes(new byte[128]);
        out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(element(0x00020000, "UL", ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(metaLen).array()));
        meta.values().forEach(out::writeBytes);
        ds.values().forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static String limit(String s, int n) {
        String t = s == null ? "" : s.replace('\\', '/').replace('\n', ' ').replace('\r', ' ');
        return t.length() <= n ? t : t.substring(0, n);
    }

    private static void put(TreeMap<Integer, byte[]> into, int tag, String vr, byte[] value) {
        into.put(tag, element(tag, vr, value));
    }

    private static byte[] us(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8)};
    }

    private static byte[] text(String s, String vr) {
        return pad(s.getBytes(StandardCharsets.ISO_8859_1), vr);
    }

    /** Even length: UIs and binary values padded with NUL, text with a space. */
    private static byte[] pad(byte[] v, String vr) {
        if (v.length % 2 == 0) {
            return v;
        }
        byte[] p = java.util.Arrays.copyOf(v, v.length + 1);
        p[v.length] = "UI".equals(vr) || "OB".equals(vr) ? 0 : (byte) ' ';
        return p;
    }

    private static byte[] element(int tag, String vr, byte[] value) {
        boolean longForm = vr.equals("OB") || vr.equals("OW") || vr.equals("UT") || vr.equals("SQ") || vr.equals("UN");
        ByteBuffer b = ByteBuffer.allocate((longForm ? 12 : 8) + value.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) (tag >>> 16)).putShort((short) tag);
        b.put((byte) vr.charAt(0)).put((byte) vr.charAt(1));
        if (longForm) {
            b.putShort((short) 0).putInt(value.length);
        } else {
            if (value.length > 0xFFFF) {
                throw new IllegalArgumentException("value of " + Tags.name(tag) + " too long for VR " + vr);
            }
            b.putShort((short) value.length);
        }
        b.put(value);
        return b.array();
    }
}
