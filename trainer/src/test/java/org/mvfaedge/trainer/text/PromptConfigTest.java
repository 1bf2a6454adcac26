package org.mvfaedge.trainer.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;

/** Reading prompts.json, the object table, adding objects, and the errors a user sees. */
class PromptConfigTest {
    static Path promptsJson() {
        return Fixtures.shared().resolve("mvfa/prompts.json");
    }

    @Test
    void objectsMatchTheFixtureGeneratorsRealNames() throws IOException {
        PromptConfig config = PromptConfig.load(promptsJson());
        Map<String, String> fixture = FixtureConfig.get().objects();
        List<String> expectedNames = new ArrayList<>();
        for (Map.Entry<String, String> e : fixture.entrySet()) {
            expectedNames.add(e.getKey());
            assertEquals(e.getValue(), config.object(e.getKey()).realName(), e.getKey());
        }
        assertEquals(expectedNames, config.objects().stream().map(ObjectInfo::name).toList());
        // The fixture's evaluation data: Brain has anomaly masks, Chest image labels only.
        assertTrue(config.object("Brain").hasMasks());
        assertFalse(config.object("Chest").hasMasks());
        for (ObjectInfo o : config.objects()) {
            assertEquals(o.classIndex() > 0, o.hasMasks(), o.name());
        }
    }

    /** The prompts shipped in the jar are the reference's, field by field. */
    @Test
    void builtInPromptsEqualTheReferenceFile() {
        PromptConfig ref = PromptConfig.load(promptsJson());
        PromptConfig builtIn = PromptConfig.builtIn();
        assertEquals(ref.normalStates(), builtIn.normalStates());
        assertEquals(ref.abnormalStates(), builtIn.abnormalStates());
        assertEquals(ref.templates(), builtIn.templates());
        assertEquals(ref.objects(), builtIn.objects());
        assertEquals(ref.defaults(), builtIn.defaults());
    }

    @Test
    void statesTemplatesAndDefaults() {
        PromptConfig config = PromptConfig.load(promptsJson());
        // MVFA's prompt.py: the normal states start with the bare name, the abnormal with "damaged".
        assertEquals("{}", config.normalStates().get(0));
        assertEquals("damaged {}", config.abnormalStates().get(0));
        assertEquals("a bad photo of a {}.", config.templates().get(0));
        TrainingDefaults d = config.defaults().orElseThrow();
        // The paper's settings: 240 px, ViT-L/14 layers 6/12/18/24, logit scale 100, betas (0.5, 0.999).
        assertEquals(240, d.imgSize());
        assertEquals(List.of(6, 12, 18, 24), d.features());
        assertEquals(100.0, d.logitScale());
        assertEquals(0.5, d.adamBeta1());
        assertEquals(0.999, d.adamBeta2());
        assertEquals(4, d.fewShot().shot());
        assertEquals(0.8, d.adapterMix().residual());
    }

    @Test
    void unknownObjectListsKnownOnes() {
        PromptConfig config = PromptConfig.load(promptsJson());
        UnknownObjectException e = assertThrows(UnknownObjectException.class, () -> config.object("brain"));
        assertTrue(e.getMessage().contains("did you mean Brain"), e.getMessage());
        for (ObjectInfo o : config.objects()) {
            assertTrue(e.getMessage().contains(o.name()), e.getMessage());
        }
    }

    @Test
    void userAddsObjectsInCodeOrFromJson(@TempDir Path dir) throws IOException {
        PromptConfig config = PromptConfig.load(promptsJson());
        int maxIndex = config.objects().stream().mapToInt(ObjectInfo::classIndex).max().orElseThrow();
        int minIndex = config.objects().stream().mapToInt(ObjectInfo::classIndex).min().orElseThrow();
        PromptConfig more = config.withObject("Knee", "knee MRI", true);
        assertEquals(new ObjectInfo("Knee", "knee MRI", maxIndex + 1, true), more.object("Knee"));
        assertThrows(UnknownObjectException.class, () -> config.object("Knee"), "the original is unchanged");

        Path extra = dir.resolve("objects.json");
        Files.writeString(extra, "{\"objects\": [{\"name\": \"Skin\", \"real_name\": \"dermoscopic image\","
                + " \"has_masks\": false}, {\"name\": \"Lung\", \"real_name\": \"lung CT\", \"has_masks\": true,"
                + " \"class_index\": 9}]}");
        PromptConfig fromFile = config.withObjectsFrom(extra);
        assertEquals(new ObjectInfo("Skin", "dermoscopic image", minIndex - 1, false), fromFile.object("Skin"));
        assertEquals(new ObjectInfo("Lung", "lung CT", 9, true), fromFile.object("Lung"));
        assertEquals(config.objects().size() + 2, fromFile.objects().size());

        PromptConfigException dup = assertThrows(PromptConfigException.class,
                () -> config.withObject("Brain", "brain MRI", true));
        assertTrue(dup.getMessage().contains("already exists"), dup.getMessage());
        Files.writeString(extra, "{\"objects\": [{\"name\": \"Lung\", \"real_name\": \"lung CT\", \"has_masks\": true,"
                + " \"class_index\": -9}]}");
        PromptConfigException sign = assertThrows(PromptConfigException.class, () -> config.withObjectsFrom(extra));
        assertTrue(sign.getMessage().contains(extra.toString()) && sign.getMessage().contains("class index -9"),
                sign.getMessage());
    }

    @Test
    void brokenFilesNameTheFileAndField(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("prompts.json");
        Files.writeString(file, "{\"normal_states\": [\"{}\"], \"abnormal_states\": [\"bad {}\"],"
                + " \"real_names\": {\"A\": \"a\"}, \"class_index\": {\"A\": 1}}");
        PromptConfigException e = assertThrows(PromptConfigException.class, () -> PromptConfig.load(file));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("templates"), e.getMessage());

        Files.writeString(file, "{\"normal_states\": [\"{}\"], \"abnormal_states\": [\"bad {} {}\"], \"templates\": [\"{}.\"],"
                + " \"real_names\": {\"A\": \"a\"}, \"class_index\": {\"A\": 1}}");
        e = assertThrows(PromptConfigException.class, () -> PromptConfig.load(file));
        assertTrue(e.getMessage().contains("abnormal_states[0]"), e.getMessage());

        Files.writeString(file, "{\"normal_states\": [\"{}\"], \"abnormal_states\": [\"bad {}\"], \"templates\": [\"{}.\"],"
                + " \"real_names\": {\"A\": \"a\"}, \"class_index\": {}}");
        e = assertThrows(PromptConfigException.class, () -> PromptConfig.load(file));
        assertTrue(e.getMessage().contains("class_index has no entry for object A"), e.getMessage());

        Files.writeString(file, "{\"normal_states\": [");
        e = assertThrows(PromptConfigException.class, () -> PromptConfig.load(file));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());

        e = assertThrows(PromptConfigException.class, () -> PromptConfig.load(dir.resolve("absent.json")));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void pythonFormatSubstitutesLikeStrFormat() {
        assertEquals("a photo of a {x}.", PythonFormat.format("a photo of a {{{}}}.", "x"));
        assertEquals("x and x", PythonFormat.format("{0} and {0}", "x"));
        assertThrows(IllegalArgumentException.class, () -> PythonFormat.format("{} and {}", "x"));
        assertThrows(IllegalArgumentException.class, () -> PythonFormat.format("{name}", "x"));
        assertThrows(IllegalArgumentException.class, () -> PythonFormat.format("a } b {}", "x"));
        assertThrows(IllegalArgumentException.class, () -> PythonFormat.format("no placeholder", "x"));
    }
}
