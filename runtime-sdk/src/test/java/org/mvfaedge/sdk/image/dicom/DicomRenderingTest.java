package org.mvfaedge.sdk.image.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The 8-bit image the model is given (as the PNG {@code --save-input} writes) against an independent
 * rendering: numpy over pydicom's pixel array with the formulas of PS3.3 C.11.2.1.2, for every
 * single-frame grey test file of pydicom and for copies pydicom wrote with MONOCHROME1, SIGMOID, a
 * rescale, no window and two windows. Within 1 level everywhere.
 */
class DicomRenderingTest {
    @Test
    void savedInputPngEqualsNumpyRenderingWithinOneLevel(@TempDir Path tmp) throws Exception {
        PydicomTruth.require();
        Path real = Files.createDirectories(tmp.resolve("real"));
        Path variants = Files.createDirectories(tmp.resolve("variants"));
        JsonNode truth = PydicomTruth.run(real, PydicomTruth.testFiles());
        JsonNode vtruth = PydicomTruth.run(variants,
                List.of(Path.of("--variants"), PydicomTruth.TEST_FILES.resolve("CT_small.dcm")));
        List<String> lines = new ArrayList<>();
        int compared = compare(real, truth, name -> PydicomTruth.TEST_FILES.resolve(name), lines);
        int comparedVariants = compare(variants, vtruth, variants::resolve, lines);
        lines.forEach(System.out::println);
        assertTrue(compared >= 10, "only " + compared + " real files rendered");
        assertEquals(10, comparedVariants, "5 variants x 2 windows");
    }

    private static int compare(Path dir, JsonNode truth, java.util.function.Function<String, Path> file, List<String> lines)
            throws Exception {
        int n = 0;
        for (var it = truth.fieldNames(); it.hasNext();) {
            String name = it.next();
            for (String policy : new String[] {"file", "minmax"}) {
                Path want = dir.resolve(name + "." + policy + ".render");
                if (!Files.exists(want)) {
                    continue;
                }
                byte[] expected = Files.readAllBytes(want);
                DicomImage img = null;
                DicomRendering.Rendered r;
                try {
                    img = DicomImage.read(file.apply(name), 64_000_000L);
                    r = DicomRendering.render(img, 1, DicomWindow.parse(policy));
                } catch (org.mvfaedge.sdk.ImageDecodeException e) {
                    // refused syntaxes are DicomParityTest's business
                    assertEquals(org.mvfaedge.sdk.ImageDecodeException.Reason.UNSUPPORTED_FORMAT, e.reason(), name);
                    lines.add(name + " " + policy + ": refused");
                    continue;
                }
                BufferedImage png = ImageIO.read(new ByteArrayInputStream(r.png()));
                assertEquals(img.width(), png.getWidth(), name);
                assertEquals(img.height(), png.getHeight(), name);
                int max = 0;
                for (int y = 0; y < png.getHeight(); y++) {
                    for (int x = 0; x < png.getWidth(); x++) {
                        int got = png.getRaster().getSample(x, y, 0);
                        int exp = expected[y * png.getWidth() + x] & 0xff;
                        max = Math.max(max, Math.abs(got - exp));
                    }
                }
                lines.add(String.format(Locale.ROOT, "%s %s (%s): max diff %d", name, policy, r.window(), max));
                assertTrue(max <= 1, name + " " + policy + ": max diff " + max + " > 1 level");
                n++;
            }
        }
        return n;
    }
}
