package org.mvfaedge.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.trainer.data.BmadDataset;
import org.mvfaedge.trainer.text.PromptConfig;

/**
 * The zero-shot training set against {@link MedicalZeroReference}, the transcription of
 * medical_zero.py's listing, on the fixture's data (eval/data: Brain_AD with masks, Chest_AD with
 * image labels; both with valid and test splits, so a set that reads valid cannot pass).
 */
class ZeroShotTrainingSetTest {
    static final PromptConfig CONFIG = PromptConfig.builtIn();

    @TempDir
    static Path tmp;
    /** The fixture's data sets under all six of the reference's names (Brain_AD's as the mask objects). */
    static Path sixObjects;

    @BeforeAll
    static void sixObjects() throws IOException {
        Path data = Fixtures.tinyA().resolve("eval/data");
        sixObjects = tmp.resolve("six");
        for (String o : List.of("Brain", "Liver", "Retina_RESC")) {
            MedicalZeroReference.copyTree(data.resolve("Brain_AD"), sixObjects.resolve(o + "_AD"));
        }
        for (String o : List.of("Retina_OCT2017", "Chest", "Histopathology")) {
            MedicalZeroReference.copyTree(data.resolve("Chest_AD"), sixObjects.resolve(o + "_AD"));
        }
    }

    static List<MedicalZeroReference.Entry> entries(ZeroShotTrainingSet set) {
        List<MedicalZeroReference.Entry> out = new ArrayList<>();
        for (ZeroShotTrainer.Item it : set.items()) {
            out.add(new MedicalZeroReference.Entry(it.object().name(), it.sample().image(), it.sample().label(),
                    it.object().hasMasks() ? it.sample().mask() : null));
        }
        return out;
    }

    /** Every object held out in turn: the other five objects, in CLASS_NAMES order, test split only. */
    @ParameterizedTest
    @ValueSource(strings = {"Brain", "Liver", "Retina_RESC", "Retina_OCT2017", "Chest", "Histopathology"})
    void equalsTheReferenceListFileByFile(String heldOut) throws IOException {
        ZeroShotTrainingSet set = ZeroShotTrainingSet.build(sixObjects, CONFIG.object(heldOut), CONFIG.objects(),
                ZeroShotTrainingSet.REFERENCE_SPLITS);
        List<MedicalZeroReference.Entry> expected = MedicalZeroReference.trainList(sixObjects, heldOut,
                List.of("test"), false);
        assertEquals(40, expected.size(), "5 objects x (4 good + 4 Ungood) test images");
        assertEquals(expected, entries(set));
        assertTrue(set.isReferenceSplits());
        assertTrue(set.missing().isEmpty());
        List<String> others = new ArrayList<>(MedicalZeroReference.CLASS_NAMES);
        others.remove(heldOut);
        assertEquals(others, set.objects());
    }

    /** The fixture's folder as it is: only Brain_AD and Chest_AD; the absent objects are left out. */
    @ParameterizedTest
    @ValueSource(strings = {"Brain", "Chest", "Liver"})
    void onTheFixtureFolderItself(String heldOut) throws IOException {
        Path data = Fixtures.tinyA().resolve("eval/data");
        ZeroShotTrainingSet set = ZeroShotTrainingSet.build(data, CONFIG.object(heldOut), CONFIG.objects(),
                ZeroShotTrainingSet.REFERENCE_SPLITS);
        List<MedicalZeroReference.Entry> expected = MedicalZeroReference.trainList(data, heldOut, List.of("test"),
                true);
        assertEquals(expected, entries(set));
        assertEquals(heldOut.equals("Liver") ? 16 : 8, expected.size());
        List<String> missing = new ArrayList<>(List.of("Liver", "Retina_RESC", "Retina_OCT2017", "Histopathology"));
        missing.remove(heldOut);
        assertEquals(missing, set.missing());
        // The reference itself cannot run here: its os.listdir fails on the first absent object.
        assertThrows(IOException.class, () -> MedicalZeroReference.trainList(data, heldOut, List.of("test"), false));
    }

    /** The opt-in departure: valid then test per object, each as the reference would list that split. */
    @Test
    void validAndTestWhenAskedFor() throws IOException {
        ZeroShotTrainingSet set = ZeroShotTrainingSet.build(sixObjects, CONFIG.object("Chest"), CONFIG.objects(),
                List.of(BmadDataset.Split.VALID, BmadDataset.Split.TEST));
        assertEquals(MedicalZeroReference.trainList(sixObjects, "Chest", List.of("valid", "test"), false),
                entries(set));
        assertEquals(5 * (6 + 8), set.items().size());
        assertEquals(List.of("valid", "test"), set.splitNames());
        assertTrue(!set.isReferenceSplits());
    }

    @Test
    void objectsOfTheUsersOwnComeAfterTheReferenceOnes() throws IOException {
        MedicalZeroReference.copyTree(Fixtures.tinyA().resolve("eval/data/Brain_AD"), tmp.resolve("own/Knee_AD"));
        MedicalZeroReference.copyTree(Fixtures.tinyA().resolve("eval/data/Chest_AD"), tmp.resolve("own/Chest_AD"));
        Path extra = tmp.resolve("knee.json");
        Files.writeString(extra, "{\"objects\": [{\"name\": \"Knee\", \"real_name\": \"knee MRI\", \"has_masks\": true}]}");
        PromptConfig config = CONFIG.withObjectsFrom(extra);
        ZeroShotTrainingSet set = ZeroShotTrainingSet.build(tmp.resolve("own"), config.object("Brain"),
                config.objects(), ZeroShotTrainingSet.REFERENCE_SPLITS);
        assertEquals(List.of("Chest", "Knee"), set.objects());
        assertEquals(16, set.items().size());
    }

    @Test
    void aSplitNamedTwiceIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ZeroShotTrainingSet.build(
                sixObjects, CONFIG.object("Brain"), CONFIG.objects(),
                List.of(BmadDataset.Split.TEST, BmadDataset.Split.TEST)));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }
}
