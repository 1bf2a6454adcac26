package org.mvfaedge.sdk.image.dicom;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.ImageDecodeException;

/**
 * Damaged DICOM of every codec (seeded random byte changes and cuts of pydicom's files): each either
 * decodes or is refused with an {@link ImageDecodeException}; no other exception (an index out of
 * bounds, a negative array size, an out-of-memory) may reach a caller, and none takes long.
 */
class DicomDamageTest {
    @Test
    void damagedFilesDecodeOrAreRefusedNeverCrash() throws Exception {
        PydicomTruth.require();
        List<String> names = List.of("CT_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm", "MR_small_RLE.dcm",
                "SC_rgb_rle_16bit_2frame.dcm", "MR_small_jp2klossless.dcm", "SC_rgb_jpeg_gdcm.dcm", "SC_rgb_dcmtk_+eb+cy+s2.dcm",
                "image_dfl.dcm", "liver_1frame.dcm", "SC_ybr_full_422_uncompressed.dcm");
        Random rnd = new Random(20261202L);
        List<String> problems = new ArrayList<>();
        int refused = 0;
        int decoded = 0;
        for (String name : names) {
            byte[] good = Files.readAllBytes(PydicomTruth.TEST_FILES.resolve(name));
            for (int k = 0; k < 40; k++) {
                byte[] bad;
                if (k % 4 == 0) {
                    bad = Arrays.copyOf(good, rnd.nextInt(good.length));
                } else {
                    bad = good.clone();
                    int changes = 1 + rnd.nextInt(8);
                    // mostly in the header, where lengths and sizes live
                    int span = k % 4 == 1 ? Math.min(bad.length, 1200) : bad.length;
                    for (int c = 0; c < changes; c++) {
                        bad[rnd.nextInt(span)] = (byte) rnd.nextInt(256);
                    }
                }
                long t0 = System.nanoTime();
                try {
                    DicomImage img = DicomImage.read(bad, 4_000_000L);
                    for (int f = 1; f <= Math.min(img.frameCount(), 4); f++) {
                        DicomRendering.render(img, f, DicomWindow.FILE);
                    }
                    decoded++;
                } catch (ImageDecodeException e) {
                    refused++;
                    if (e.getMessage() == null || e.getMessage().contains("\n")) {
                        problems.add(name + " #" + k + ": message not one line: " + e.getMessage());
                    }
                } catch (Throwable e) {
                    problems.add(name + " #" + k + ": " + e);
                }
                double ms = (System.nanoTime() - t0) / 1e6;
                if (ms > 3000) {
                    problems.add(name + " #" + k + ": took " + ms + " ms");
                }
            }
        }
        System.out.println("damaged DICOM: " + decoded + " decoded, " + refused + " refused");
        if (!problems.isEmpty()) {
            fail(problems.size() + " problem(s):\n" + String.join("\n", problems));
        }
        assertTrue(refused > 50, "most damage is noticed: " + refused);
    }
}
