package org.mvfaedge.trainer.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.image.GreyImage;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.RgbImage;
import org.mvfaedge.trainer.data.BmadDataset;
import org.mvfaedge.trainer.data.FewShotSplit;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.text.ObjectInfo;
import org.mvfaedge.trainer.text.PromptConfig;

class DemoDataTest {
    private static final DemoData.Counts COUNTS = new DemoData.Counts(64, 3, 3, 4, 5);

    @Test
    void writesTheBmadLayoutThatTheTrainerReads(@TempDir Path dir) {
        DemoData.Written w = DemoData.generate(dir, COUNTS, COUNTS, 2, 5, null);
        assertEquals(2 * (3 + 3 + 4 + 5), w.images());
        PromptConfig prompts = DemoData.promptConfig();
        ObjectInfo brain = prompts.object(DemoData.BRAIN);
        ObjectInfo chest = prompts.object(DemoData.CHEST);
        assertTrue(brain.hasMasks());
        assertFalse(chest.hasMasks());
        assertEquals("brain MRI", brain.realName());
        BmadDataset b = BmadDataset.open(w.data(), brain.name(), true);
        List<Sample> test = b.samples(BmadDataset.Split.TEST);
        assertEquals(9, test.size());
        assertEquals(5, test.stream().filter(s -> s.label() == 1 && s.mask() != null).count());
        BmadDataset c = BmadDataset.open(w.data(), chest.name(), false);
        assertEquals(9, c.samples(BmadDataset.Split.TEST).size());
        assertFalse(Files.exists(w.data().resolve("DemoChest_AD/test/Ungood/anomaly_mask")), "chest has image labels only");
        for (int iterate = 0; iterate < DemoData.SPLITS; iterate++) {
            FewShotSplit split = FewShotSplit.fromSeedFile(b, w.fewshotSeeds(), 2, iterate);
            assertEquals(2, split.normal().size());
            assertEquals(2, split.abnormal().size());
            assertTrue(split.abnormal().stream().allMatch(s -> s.mask() != null));
        }
        // objects.json is what --objects reads for the printed follow-up commands.
        PromptConfig fromFile = PromptConfig.builtIn().withObjectsFrom(w.objectsJson());
        assertEquals(brain.realName(), fromFile.object(DemoData.BRAIN).realName());
        assertFalse(fromFile.object(DemoData.CHEST).hasMasks());
    }

    @Test
    void everyLesionMaskIsNonEmptyInsideTheHeadAndChangesTheImageThere(@TempDir Path dir) {
        DemoData.Written w = DemoData.generate(dir, COUNTS, COUNTS, 2, 9, null);
        ImageDecoder decoder = new ImageDecoder();
        BmadDataset b = BmadDataset.open(w.data(), DemoData.BRAIN, true);
        for (Sample s : b.samples(BmadDataset.Split.TEST)) {
            if (s.label() == 0) {
                continue;
            }
            GreyImage m = decoder.decodeMask(s.mask());
            RgbImage img = decoder.decode(s.image());
            int area = 0;
            for (int y = 0; y < m.height(); y++) {
                for (int x = 0; x < m.width(); x++) {
                    if (m.get(x, y) > 127) {
                        area++;
                        // Inside the head: tissue on all four sides along the row and the column (a
                        // lesion itself may be as dark as the background, as a necrotic core is on T1).
                        assertTrue(tissueAlong(img, x, y, -1, 0) && tissueAlong(img, x, y, 1, 0)
                                && tissueAlong(img, x, y, 0, -1) && tissueAlong(img, x, y, 0, 1),
                                "lesion pixel (" + x + ", " + y + ") outside the head in " + s.image());
                    }
                }
            }
            assertTrue(area > 0, "empty mask " + s.mask());
            assertTrue(area < m.width() * m.height() / 3, "mask covers most of the image: " + s.mask());
        }
    }

    @Test
    void isDeterministicBySeedAndDiffersAcrossSeeds(@TempDir Path dir) throws Exception {
        DemoData.Written a = DemoData.generate(dir.resolve("a"), COUNTS, COUNTS, 2, 42, null);
        DemoData.Written again = DemoData.generate(dir.resolve("b"), COUNTS, COUNTS, 2, 42, null);
        DemoData.Written other = DemoData.generate(dir.resolve("c"), COUNTS, COUNTS, 2, 43, null);
        String f = "DemoBrain_AD/test/Ungood/img/00011.png";
        assertArrayEquals(Files.readAllBytes(a.data().resolve(f)), Files.readAllBytes(again.data().resolve(f)));
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a.data().resolve(f)),
                Files.readAllBytes(other.data().resolve(f))));
        assertEquals(Files.readString(a.fewshotSeeds().resolve("DemoChest/2-shot.txt")),
                Files.readString(again.fewshotSeeds().resolve("DemoChest/2-shot.txt")));
    }

    @Test
    void lesionsChangeTheImageInsideTheirMask() {
        // Same seed, with and without lesions: the anatomy is the same draw (the acquisition noise is
        // not, it is drawn after the lesions), so inside the mask the lesion must dominate the noise.
        long seed = 77;
        int size = 96;
        SyntheticImage normal = BrainSliceGenerator.slice(seed, size, false);
        SyntheticImage sick = BrainSliceGenerator.slice(seed, size, true);
        assertTrue(sick.maskArea() > 0);
        assertEquals(0, normal.maskArea());
        double inside = 0;
        int nInside = 0;
        for (int i = 0; i < size * size; i++) {
            if (sick.mask()[i]) {
                inside += Math.abs(sick.pixels()[i] - normal.pixels()[i]);
                nInside++;
            }
        }
        assertTrue(inside / nInside > 0.03, "lesions should change the image, mean |diff| " + inside / nInside);
        assertNotEquals(0, nInside);
    }

    @Test
    void refusesCountsItCannotSplit(@TempDir Path dir) {
        assertThrows(IllegalArgumentException.class, () -> new DemoData.Counts(64, 0, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> DemoData.generate(dir, COUNTS, COUNTS, 4, 1, null));
    }

    /** Whether a pixel brighter than the background lies from (x, y) in direction (dx, dy). */
    private static boolean tissueAlong(RgbImage img, int x, int y, int dx, int dy) {
        for (int i = x + dx, j = y + dy; i >= 0 && j >= 0 && i < img.width() && j < img.height(); i += dx, j += dy) {
            if (img.get(i, j, 0) > 20) {
                return true;
            }
        }
        return false;
    }
}
