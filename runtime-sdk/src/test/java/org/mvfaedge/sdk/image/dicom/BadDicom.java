package org.mvfaedge.sdk.image.dicom;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Damaged DICOM made from pydicom's good test files by editing known bytes: each has one defect the
 * reader must refuse, so the tests know exactly what was broken.
 */
final class BadDicom {
    private BadDicom() {
    }

    static byte[] ctSmall() throws IOException {
        return Files.readAllBytes(PydicomTruth.TEST_FILES.resolve("CT_small.dcm"));
    }

    /** CT_small cut in the middle of its pixel data. */
    static byte[] truncated() throws IOException {
        byte[] d = ctSmall();
        return Arrays.copyOf(d, d.length - 10_000);
    }

    /** CT_small cut just before its Pixel Data element: a valid data set without pixels. */
    static byte[] noPixelData() throws IOException {
        byte[] d = ctSmall();
        return Arrays.copyOf(d, find(d, new byte[] {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'W'}));
    }

    /** CT_small with Rows and Columns (0028,0010/0011) set to 65535: 4.3e9 pixels declared. */
    static byte[] hugeHeader() throws IOException {
        byte[] d = ctSmall();
        for (byte el : new byte[] {0x10, 0x11}) {
            int p = find(d, new byte[] {0x28, 0x00, el, 0x00, 'U', 'S', 0x02, 0x00});
            d[p + 8] = (byte) 0xFF;
            d[p + 9] = (byte) 0xFF;
        }
        return d;
    }

    /** MR_small_RLE whose frame's RLE header declares 9 segments (an MR frame of 16-bit grey has 2). */
    static byte[] corruptFragment() throws IOException {
        byte[] d = Files.readAllBytes(PydicomTruth.TEST_FILES.resolve("MR_small_RLE.dcm"));
        int p = find(d, new byte[] {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'B', 0, 0, -1, -1, -1, -1});
        p += 12;
        long botLen = (d[p + 4] & 0xff) | (d[p + 5] & 0xff) << 8;
        p += 8 + (int) botLen; // first fragment item
        int frame = p + 8;
        if (d[frame] != 2) {
            throw new IllegalStateException("MR_small_RLE.dcm: expected 2 RLE segments at byte " + frame);
        }
        d[frame] = 9;
        return d;
    }

    static int find(byte[] d, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= d.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (d[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("pattern not found");
    }
}
