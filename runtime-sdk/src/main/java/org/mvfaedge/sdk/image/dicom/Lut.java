package org.mvfaedge.sdk.image.dicom;

import org.mvfaedge.sdk.ImageDecodeException;
import org.mvfaedge.sdk.ImageDecodeException.Reason;

/**
 * A DICOM lookup table (modality LUT or a palette colour channel): entries for the input values
 * {@code firstMapped ..}, inputs below and above clamped to the first and last entry (PS3.3 C.11.1.1).
 */
public record Lut(int firstMapped, int bits, int[] entries) {
    int apply(int v) {
        int i = v - firstMapped;
        return entries[i < 0 ? 0 : Math.min(i, entries.length - 1)];
    }

    static Lut of(DicomObject.Element desc, DicomObject.Element data, String source, String what) {
        if (desc == null || data == null || desc.items() != null || data.items() != null || desc.len() < 6) {
            throw new ImageDecodeException(Reason.CORRUPT, source + ": its " + what
                    + " has no valid descriptor or data; the header is damaged");
        }
        int n = DicomObject.u16(desc, 0);
        if (n == 0) {
            n = 65536;
        }
        int first = DicomObject.u16(desc, 1);
        if ("SS".equals(desc.vr())) {
            first = (short) first;
        }
        int bits = DicomObject.u16(desc, 2);
        int[] e = new int[n];
        if (data.len() == n && bits <= 8) {
            for (int i = 0; i < n; i++) {
                e[i] = data.buf()[data.off() + i] & 0xff;
            }
        } else if (data.len() >= 2 * n) {
            for (int i = 0; i < n; i++) {
                e[i] = DicomObject.u16(data, i);
            }
        } else {
            throw new ImageDecodeException(Reason.CORRUPT, source + ": its " + what + " declares " + n
                    + " entries but holds " + data.len() + " bytes; the header is damaged");
        }
        return new Lut(first, bits, e);
    }
}
