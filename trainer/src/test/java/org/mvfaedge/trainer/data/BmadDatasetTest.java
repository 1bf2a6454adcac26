package org.mvfaedge.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.testing.Fixtures;

class BmadDatasetTest {
    @Test
    void listsTheFixtureTestSetInReferenceOrder() {
        Path data = Fixtures.fixture().resolve("eval/data");
        BmadDataset brain = BmadDataset.open(data, "Brain", true);
        List<Sample> test = brain.samples(BmadDataset.Split.TEST);
        assertEquals(List.of("tg00.png", "tg01.png", "tg02.png", "tg03.png", "tu00.png", "tu01.png", "tu02.png", "tu03.png"),
                test.stream().map(Sample::fileName).toList());
        assertEquals(List.of(0, 0, 0, 0, 1, 1, 1, 1), test.stream().map(Sample::label).toList());
        assertNull(test.get(0).mask());
        assertEquals(data.resolve("Brain_AD/test/Ungood/anomaly_mask/tu02.png"), test.get(6).mask());

        BmadDataset chest = BmadDataset.open(data, "Chest", false);
        assertTrue(chest.samples(BmadDataset.Split.TEST).stream().allMatch(s -> s.mask() == null));
    }

    @Test
    void readsThePaperSplitFormat() {
        Path fx = Fixtures.fixture().resolve("eval");
        BmadDataset brain = BmadDataset.open(fx.resolve("data"), "Brain", true);
        FewShotSplit split = FewShotSplit.fromSeedFile(brain, fx.resolve("dataset/fewshot_seed"), 2, 0);
        assertEquals(2, split.normal().size());
        assertEquals(2, split.abnormal().size());
        assertTrue(split.normal().stream().allMatch(s -> s.image().toString().contains("valid/good/img")));
        assertTrue(split.abnormal().stream().allMatch(s -> s.mask() != null));
        assertThrows(DatasetException.class, () -> FewShotSplit.fromSeedFile(brain, fx.resolve("dataset/fewshot_seed"), 2, 7));
        assertThrows(DatasetException.class, () -> FewShotSplit.fromSeedFile(brain, fx.resolve("dataset/fewshot_seed"), 4, 0));

        // What calibration and selection may use: the valid split less the four shots, nothing else lost.
        List<Sample> valid = brain.samples(BmadDataset.Split.VALID);
        List<Sample> rest = split.without(valid);
        assertEquals(valid.size() - 4, rest.size());
        List<Sample> shots = new java.util.ArrayList<>(split.normal());
        shots.addAll(split.abnormal());
        for (Sample s : shots) {
            assertTrue(valid.contains(s) && !rest.contains(s), "shot " + s.fileName());
        }
        assertEquals(valid.size(), rest.size() + shots.size());
    }

    @Test
    void clearErrorsForBrokenLayouts(@TempDir Path tmp) throws Exception {
        DatasetException e = assertThrows(DatasetException.class, () -> BmadDataset.open(tmp, "Brain", true));
        assertTrue(e.getMessage().contains("Brain_AD"), e.getMessage());

        Path good = Files.createDirectories(tmp.resolve("Brain_AD/test/good/img"));
        Files.write(good.resolve("a.png"), new byte[] {1});
        BmadDataset d = BmadDataset.open(tmp, "Brain", true);
        e = assertThrows(DatasetException.class, () -> d.samples(BmadDataset.Split.TEST));
        assertTrue(e.getMessage().contains("test/Ungood/img"), e.getMessage());

        Path bad = Files.createDirectories(tmp.resolve("Brain_AD/test/Ungood/img"));
        Files.write(bad.resolve("u.png"), new byte[] {1});
        e = assertThrows(DatasetException.class, () -> d.samples(BmadDataset.Split.TEST));
        assertTrue(e.getMessage().contains("anomaly_mask") && e.getMessage().contains("u.png"), e.getMessage());

        // A folder called "img" higher up does not confuse the mask path (the reference's string replace would).
        Path nested = Files.createDirectories(tmp.resolve("img_data/Liver_AD/test/Ungood/img"));
        Files.createDirectories(tmp.resolve("img_data/Liver_AD/test/good/img"));
        Files.createDirectories(tmp.resolve("img_data/Liver_AD/test/Ungood/anomaly_mask"));
        Files.write(nested.resolve("x.png"), new byte[] {1});
        Files.write(tmp.resolve("img_data/Liver_AD/test/Ungood/anomaly_mask/x.png"), new byte[] {1});
        List<Sample> s = BmadDataset.open(tmp.resolve("img_data"), "Liver", true).samples(BmadDataset.Split.TEST);
        assertEquals(tmp.resolve("img_data/Liver_AD/test/Ungood/anomaly_mask/x.png"), s.get(0).mask());
    }

    @Test
    void randomDrawIsDeterministicPerSeed() {
        BmadDataset brain = BmadDataset.open(Fixtures.fixture().resolve("eval/data"), "Brain", true);
        FewShotSplit a = FewShotSplit.random(brain, 2, 5);
        FewShotSplit b = FewShotSplit.random(brain, 2, 5);
        assertEquals(a.normal(), b.normal());
        assertEquals(a.abnormal(), b.abnormal());
        assertThrows(DatasetException.class, () -> FewShotSplit.random(brain, 9, 5));
    }
}
