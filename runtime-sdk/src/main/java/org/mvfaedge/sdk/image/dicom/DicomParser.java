package org.mvfaedge.sdk.image.dicom;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import org.mvfaedge.sdk.ImageDecodeException;
import org.mvfaedge.sdk.ImageDecodeException.Reason;

/**
 * Reads a DICOM Part 10 file, or a bare data set, into a {@link DicomObject}: preamble and file meta
 * information optional; implicit VR little endian, explicit VR little endian, deflated explicit VR
 * little endian and explicit VR big endian; sequences and items of defined and undefined length;
 * encapsulated pixel data as fragments. Written by hand because Maven Central has no maintained DICOM
 * parser (dcm4che is published only to its own repository); the parser checks every length against the
 * bytes left, so damaged input is refused with a message rather than read past its end.
 */
final class DicomParser {
    static final String IMPLICIT_LE = "1.2.840.10008.1.2";
    static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    static final String DEFLATED_LE = "1.2.840.10008.1.2.1.99";
    static final String EXPLICIT_BE = "1.2.840.10008.1.2.2";

    /** VRs whose explicit form has 2 reserved bytes and a 32-bit length. */
    private static final Set<String> LONG_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN",
            "UR", "UT", "UV");
    private static final Set<String> ALL_VRS = Set.of("AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS",
            "LO", "LT", "OB", "OD", "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC",
            "UI", "UL", "UN", "UR", "US", "UT", "UV");
    /** Sequences whose VR an implicit VR data set does not carry. */
    private static final Set<Integer> KNOWN_SEQUENCES = Set.of(Tags.MODALITY_LUT_SEQUENCE, Tags.VOI_LUT_SEQUENCE,
            Tags.PIXEL_MEASURES_SEQUENCE, Tags.FRAME_VOI_LUT_SEQUENCE, Tags.PIXEL_VALUE_TRANSFORMATION_SEQUENCE,
            Tags.SHARED_FUNCTIONAL_GROUPS, Tags.PER_FRAME_FUNCTIONAL_GROUPS);
    private static final int MAX_DEPTH = 32;

    /** The parse result: the meta information (possibly empty), the data set and its transfer syntax. */
    record Parsed(DicomObject meta, DicomObject dataset, String transferSyntax) {
    }

    private final String source;
    private final long maxInflated;

    DicomParser(String source, long maxInflated) {
        this.source = source;
        this.maxInflated = maxInflated;
    }

    /** Whether {@code data} starts like DICOM: "DICM" after a preamble, or a bare group 0002/0008 element. */
    static boolean looksLikeDicom(byte[] data, int length) {
        if (length >= 132 && data[128] == 'D' && data[129] == 'I' && data[130] == 'C' && data[131] == 'M') {
            return true;
        }
        if (length < 8) {
            return false;
        }
        int group = (data[0] & 0xff) | ((data[1] & 0xff) << 8);
        if (group == 0x0002 || group == 0x0008) {
            // explicit VR (two capital letters) or implicit with a small length: not a PNG/JPEG/BMP/TIFF magic
            boolean vr = Character.isUpperCase(data[4]) && Character.isUpperCase(data[5]);
            long len = (data[4] & 0xffL) | ((data[5] & 0xffL) << 8) | ((data[6] & 0xffL) << 16) | ((data[7] & 0xffL) << 24);
            return vr || len < 1024;
        }
        int groupBe = ((data[0] & 0xff) << 8) | (data[1] & 0xff);
        return groupBe == 0x0008 && Character.isUpperCase(data[4]) && Character.isUpperCase(data[5]);
    }

    Parsed parse(byte[] data) {
        int pos = 0;
        if (data.length >= 132 && data[128] == 'D' && data[129] == 'I' && data[130] == 'C' && data[131] == 'M') {
            pos = 132;
        } else if (!looksLikeDicom(data, data.length)) {
            throw new ImageDecodeException(Reason.UNSUPPORTED_FORMAT, source
                    + " is not DICOM (no \"DICM\" marker after a 128-byte preamble, and no data set at its start)");
        }
        DicomObject meta = new DicomObject();
        // File meta information: always explicit VR little endian, group 0002.
        while (pos + 8 <= data.length && ((data[pos] & 0xff) | ((data[pos + 1] & 0xff) << 8)) == 0x0002) {
            pos = readElement(data, pos, data.length, true, false, meta, 0);
        }
        String ts = meta.string(Tags.TRANSFER_SYNTAX);
        if (ts == null) {
            ts = guessSyntax(data, pos);
        }
        boolean explicit;
        boolean bigEndian = false;
        switch (ts) {
            case IMPLICIT_LE -> explicit = false;
            case EXPLICIT_BE -> {
                explicit = true;
                bigEndian = true;
            }
            case DEFLATED_LE -> {
                data = inflate(data, pos);
                pos = 0;
                explicit = true;
            }
            default -> explicit = true; // every other (encapsulated) syntax is explicit VR little endian
        }
        if (explicit && pos + 6 <= data.length && !ALL_VRS.contains(new String(new char[] {(char) data[pos + 4],
                (char) data[pos + 5]}))) {
            // Some writers declare an explicit syntax but encode the data set implicitly (pydicom reads these too).
            explicit = false;
        }
        DicomObject ds = new DicomObject();
        readDataset(data, pos, data.length, explicit, bigEndian, ds, 0, false);
        return new Parsed(meta, ds, ts);
    }

    /** No meta information: explicit if a VR follows the first tag, big endian if the group reads so. */
    private static String guessSyntax(byte[] d, int pos) {
        if (pos + 6 > d.length) {
            return IMPLICIT_LE;
        }
        boolean vr = ALL_VRS.contains(new String(new char[] {(char) d[pos + 4], (char) d[pos + 5]}));
        if (!vr) {
            return IMPLICIT_LE;
        }
        int groupLe = (d[pos] & 0xff) | ((d[pos + 1] & 0xff) << 8);
        int groupBe = ((d[pos] & 0xff) << 8) | (d[pos + 1] & 0xff);
        return groupBe < groupLe ? EXPLICIT_BE : EXPLICIT_LE;
    }

    private byte[] inflate(byte[] data, int pos) {
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(data, pos, data.length - pos);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(Math.max(1024, 4 * (data.length - pos)));
            byte[] buf = new byte[65536];
            while (!inf.finished()) {
                int n = inf.inflate(buf);
                if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    break; // ended early: the data set parser reports what is missing
                }
                out.write(buf, 0, n);
                if (out.size() > maxInflated) {
                    throw new ImageDecodeException(Reason.TOO_LARGE, source + ": the deflated data set inflates to over "
                            + maxInflated + " bytes; refused as too large");
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new ImageDecodeException(Reason.CORRUPT, source + ": the deflated data set (transfer syntax "
                    + DEFLATED_LE + ") cannot be inflated: " + e.getMessage() + "; the file is damaged", e);
        } finally {
            inf.end();
        }
    }

    /** Reads elements from {@code pos} to {@code end} (or an item delimiter when {@code inItem}); returns the end. */
    private int readDataset(byte[] d, int pos, int end, boolean explicit, boolean be, DicomObject into, int depth,
            boolean undefinedItem) {
        if (depth > MAX_DEPTH) {
            throw corrupt("sequences nested deeper than " + MAX_DEPTH + " levels");
        }
        while (pos < end) {
            if (pos + 8 > end) {
                if (undefinedItem || allZero(d, pos, end)) {
                    break;
                }
                throw corrupt("it ends inside an element header at byte " + pos + " (truncated)");
            }
            int tag = tag(d, pos, be);
            if (tag == Tags.ITEM_DELIMITER) {
                return pos + 8;
            }
            pos = readElement(d, pos, end, explicit, be, into, depth);
        }
        if (undefinedItem) {
            throw corrupt("an item of undefined length has no item delimiter (truncated)");
        }
        return pos;
    }

    private static boolean allZero(byte[] d, int from, int to) {
        for (int i = from; i < to; i++) {
            if (d[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private int readElement(byte[] d, int pos, int end, boolean explicit, boolean be, DicomObject into, int depth) {
        int tag = tag(d, pos, be);
        String vr;
        long len;
        int start = pos;
        if (explicit && (tag >>> 16) != 0xFFFE) {
            vr = new String(new char[] {(char) (d[pos + 4] & 0xff), (char) (d[pos + 5] & 0xff)});
            if (LONG_VRS.contains(vr)) {
                if (pos + 12 > end) {
                    throw corrupt("it ends inside the header of element " + Tags.name(tag) + " (truncated)");
                }
                len = u32(d, pos + 8, be);
                pos += 12;
            } else if (ALL_VRS.contains(vr)) {
                len = u16(d, pos + 6, be);
                pos += 8;
            } else {
                throw corrupt("element " + Tags.name(tag) + " at byte " + start + " has no valid VR (the data set is"
                        + " damaged or its transfer syntax is declared wrongly)");
            }
        } else {
            vr = KNOWN_SEQUENCES.contains(tag) ? "SQ" : null;
            len = u32(d, pos + 4, be);
            pos += 8;
        }
        if (len == 0xFFFFFFFFL) {
            if (tag == Tags.PIXEL_DATA) {
                List<int[]> frags = new ArrayList<>();
                pos = readFragments(d, pos, end, be, frags);
                into.put(new DicomObject.Element(tag, vr == null ? "OB" : vr, d, 0, 0, be, null, frags));
                return pos;
            }
            // Undefined length: a sequence. Explicit UN of undefined length is implicit VR LE inside (PS3.5 6.2.2).
            boolean innerExplicit = explicit && !"UN".equals(vr);
            boolean innerBe = be && !"UN".equals(vr);
            List<DicomObject> items = new ArrayList<>();
            pos = readItems(d, pos, end, innerExplicit, innerBe, items, depth, true);
            into.put(new DicomObject.Element(tag, "SQ", d, 0, 0, be, items, null));
            return pos;
        }
        if (len > end - pos) {
            throw new ImageDecodeException(Reason.CORRUPT, source + " is truncated or damaged: element "
                    + Tags.name(tag) + " claims " + len + " bytes but only " + (end - pos) + " remain");
        }
        int n = (int) len;
        if ("SQ".equals(vr) || (vr == null || "UN".equals(vr)) && n >= 8 && tag(d, pos, be) == Tags.ITEM
                && tag != Tags.PIXEL_DATA) {
            // A known sequence, or an implicit/UN value that starts with an item tag (as pydicom guesses too).
            List<DicomObject> items = new ArrayList<>();
            boolean innerExplicit = explicit && !"UN".equals(vr);
            readItems(d, pos, pos + n, innerExplicit, be && innerExplicit, items, depth, false);
            into.put(new DicomObject.Element(tag, "SQ", d, pos, n, be, items, null));
        } else {
            into.put(new DicomObject.Element(tag, vr, d, pos, n, be, null, null));
        }
        return pos + n;
    }

    private int readItems(byte[] d, int pos, int end, boolean explicit, boolean be, List<DicomObject> items, int depth,
            boolean undefined) {
        while (pos < end) {
            if (pos + 8 > end) {
                throw corrupt("it ends inside a sequence (truncated)");
            }
            int tag = tag(d, pos, be);
            long len = u32(d, pos + 4, be);
            pos += 8;
            if (tag == Tags.SEQUENCE_DELIMITER) {
                return pos;
            }
            if (tag != Tags.ITEM) {
                throw corrupt("a sequence holds " + Tags.name(tag) + " where an item was expected");
            }
            DicomObject item = new DicomObject();
            if (len == 0xFFFFFFFFL) {
                pos = readDataset(d, pos, end, explicit, be, item, depth + 1, true);
            } else {
                if (len > end - pos) {
                    throw corrupt("a sequence item claims " + len + " bytes but only " + (end - pos) + " remain (truncated)");
                }
                readDataset(d, pos, pos + (int) len, explicit, be, item, depth + 1, false);
                pos += (int) len;
            }
            items.add(item);
        }
        if (undefined) {
            throw corrupt("a sequence of undefined length has no sequence delimiter (truncated)");
        }
        return pos;
    }

    /** Encapsulated pixel data: items until the sequence delimiter; the first is the basic offset table. */
    private int readFragments(byte[] d, int pos, int end, boolean be, List<int[]> frags) {
        while (true) {
            if (pos + 8 > end) {
                throw corrupt("the encapsulated pixel data ends without its sequence delimiter (truncated)");
            }
            int tag = tag(d, pos, be);
            long len = u32(d, pos + 4, be);
            pos += 8;
            if (tag == Tags.SEQUENCE_DELIMITER) {
                return pos;
            }
            if (tag != Tags.ITEM) {
                throw corrupt("the encapsulated pixel data holds " + Tags.name(tag) + " where a fragment item was expected");
            }
            if (len > end - pos) {
                throw corrupt("a pixel data fragment claims " + len + " bytes but only " + (end - pos)
                        + " remain (truncated)");
            }
            frags.add(new int[] {pos, (int) len});
            pos += (int) len;
        }
    }

    private ImageDecodeException corrupt(String what) {
        return new ImageDecodeException(Reason.CORRUPT, source + " is not a readable DICOM file: " + what);
    }

    static int tag(byte[] d, int p, boolean be) {
        return (u16(d, p, be) << 16) | u16(d, p + 2, be);
    }

    static int u16(byte[] d, int p, boolean be) {
        return be ? ((d[p] & 0xff) << 8) | (d[p + 1] & 0xff) : (d[p] & 0xff) | ((d[p + 1] & 0xff) << 8);
    }

    static long u32(byte[] d, int p, boolean be) {
        return be ? ((d[p] & 0xffL) << 24) | ((d[p + 1] & 0xffL) << 16) | ((d[p + 2] & 0xffL) << 8) | (d[p + 3] & 0xffL)
                : (d[p] & 0xffL) | ((d[p + 1] & 0xffL) << 8) | ((d[p + 2] & 0xffL) << 16) | ((d[p + 3] & 0xffL) << 24);
    }
}
