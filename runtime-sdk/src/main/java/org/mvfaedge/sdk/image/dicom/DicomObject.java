package org.mvfaedge.sdk.image.dicom;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed DICOM data set (or a sequence item): elements by tag, each keeping a view on the bytes it
 * was read from (no copy of the pixel data). Values are decoded on request, in the byte order of the
 * transfer syntax the data set was read with.
 */
public final class DicomObject {
    /** One element: a value held as a slice of {@code buf}, sequence items, or encapsulated fragments. */
    record Element(int tag, String vr, byte[] buf, int off, int len, boolean bigEndian,
            List<DicomObject> items, List<int[]> fragments) {
        boolean encapsulated() {
            return fragments != null;
        }
    }

    private final Map<Integer, Element> elements = new LinkedHashMap<>();

    void put(Element e) {
        elements.put(e.tag(), e);
    }

    Element get(int tag) {
        return elements.get(tag);
    }

    public boolean contains(int tag) {
        return elements.containsKey(tag);
    }

    /** Tags in the order they were read. */
    List<Integer> tags() {
        return new ArrayList<>(elements.keySet());
    }

    /** Items of a sequence, empty when absent or not a sequence. */
    public List<DicomObject> sequence(int tag) {
        Element e = elements.get(tag);
        return e == null || e.items() == null ? Collections.emptyList() : e.items();
    }

    /** First item of a sequence, or null. */
    public DicomObject item(int tag) {
        List<DicomObject> s = sequence(tag);
        return s.isEmpty() ? null : s.get(0);
    }

    /** The whole text value, trailing/leading spaces and NULs trimmed; null when absent or empty. */
    public String string(int tag) {
        Element e = elements.get(tag);
        if (e == null || e.items() != null || e.fragments() != null || e.len() == 0) {
            return null;
        }
        // ISO 646 / Latin-1 covers what the code reads (UIDs, code strings, numbers); names are copied as bytes.
        String s = new String(e.buf(), e.off(), e.len(), StandardCharsets.ISO_8859_1);
        s = trim(s);
        return s.isEmpty() ? null : s;
    }

    /** The backslash-separated values of a text element, trimmed; empty when absent. */
    public String[] strings(int tag) {
        String s = string(tag);
        if (s == null) {
            return new String[0];
        }
        String[] parts = s.split("\\\\", -1);
        for (int i = 0; i < parts.length; i++) {
            parts[i] = trim(parts[i]);
        }
        return parts;
    }

    private static String trim(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && (s.charAt(a) == ' ' || s.charAt(a) == 0)) {
            a++;
        }
        while (b > a && (s.charAt(b - 1) == ' ' || s.charAt(b - 1) == 0)) {
            b--;
        }
        return s.substring(a, b);
    }

    /** Decimal values (DS / IS) of a text element; unparseable parts make it null. */
    public double[] decimals(int tag) {
        String[] parts = strings(tag);
        if (parts.length == 0) {
            return null;
        }
        double[] out = new double[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                out[i] = Double.parseDouble(parts[i]);
            }
        } catch (NumberFormatException ex) {
            return null;
        }
        return out;
    }

    /** First decimal value, or {@code dflt}. */
    public double decimal(int tag, double dflt) {
        double[] v = decimals(tag);
        return v == null || v.length == 0 ? dflt : v[0];
    }

    /**
     * An integer held as US/UL binary (2 or 4 bytes, unsigned) or as IS text; {@code dflt} when absent
     * or unreadable.
     */
    public long integer(int tag, long dflt) {
        Element e = elements.get(tag);
        if (e == null || e.items() != null || e.fragments() != null || e.len() == 0) {
            return dflt;
        }
        if (isText(e)) {
            double[] d = decimals(tag);
            return d == null ? dflt : (long) d[0];
        }
        if (e.len() >= 4 && !"US".equals(e.vr()) && !"SS".equals(e.vr())) {
            return u32(e, 0);
        }
        if (e.len() >= 2) {
            return u16(e, 0);
        }
        return dflt;
    }

    private static boolean isText(Element e) {
        String vr = e.vr();
        return "IS".equals(vr) || "DS".equals(vr);
    }

    /** Unsigned 16-bit word {@code i} of a binary value. */
    static int u16(Element e, int i) {
        int p = e.off() + 2 * i;
        byte[] b = e.buf();
        return e.bigEndian() ? ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff) : (b[p] & 0xff) | ((b[p + 1] & 0xff) << 8);
    }

    static long u32(Element e, int i) {
        int p = e.off() + 4 * i;
        byte[] b = e.buf();
        long v = e.bigEndian()
                ? ((b[p] & 0xffL) << 24) | ((b[p + 1] & 0xffL) << 16) | ((b[p + 2] & 0xffL) << 8) | (b[p + 3] & 0xffL)
                : (b[p] & 0xffL) | ((b[p + 1] & 0xffL) << 8) | ((b[p + 2] & 0xffL) << 16) | ((b[p + 3] & 0xffL) << 24);
        return v;
    }

    /** The raw bytes of a value (copied), or null. */
    public byte[] bytes(int tag) {
        Element e = elements.get(tag);
        if (e == null || e.items() != null || e.fragments() != null) {
            return null;
        }
        byte[] out = new byte[e.len()];
        System.arraycopy(e.buf(), e.off(), out, 0, e.len());
        return out;
    }
}
