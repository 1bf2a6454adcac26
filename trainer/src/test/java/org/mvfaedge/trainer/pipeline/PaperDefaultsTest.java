package org.mvfaedge.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.trainer.text.PromptConfig;
import org.mvfaedge.trainer.text.TrainingDefaults;

/**
 * {@link PaperDefaults} against the paper's defaults as the shared {@code mvfa/prompts.json} records them
 * (read with plain JSON, not through the trainer), and against the copy the trainer ships as its built-in
 * prompts: a value changed in one place and not the other fails here.
 */
class PaperDefaultsTest {
    private static JsonNode sharedDefaults() throws IOException {
        return new ObjectMapper().readTree(Fixtures.shared().resolve("mvfa/prompts.json").toFile()).get("defaults");
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    @Test
    void everyConstantIsTheSharedFilesValue() throws IOException {
        JsonNode d = sharedDefaults();
        assertEquals(d.get("img_size").asInt(), PaperDefaults.IMG_SIZE);
        assertArrayEquals(ints(d.get("features")), PaperDefaults.features());
        JsonNode few = d.get("few_shot");
        assertEquals(few.get("epochs").asInt(), PaperDefaults.FEW_SHOT_EPOCHS);
        assertEquals(few.get("lr").asDouble(), PaperDefaults.FEW_SHOT_LR, 0);
        assertEquals(few.get("shot").asInt(), PaperDefaults.SHOT);
        assertEquals(few.get("iterate").asInt(), PaperDefaults.ITERATE);
        assertEquals(few.get("seed").asLong(), PaperDefaults.SEED);
        JsonNode zero = d.get("zero_shot");
        assertEquals(zero.get("epochs").asInt(), PaperDefaults.ZERO_SHOT_EPOCHS);
        assertEquals(zero.get("lr").asDouble(), PaperDefaults.ZERO_SHOT_LR, 0);
        assertEquals(zero.get("seed").asLong(), PaperDefaults.SEED);
        assertEquals(d.get("adam_betas").get(0).asDouble(), PaperDefaults.ADAM_BETA1, 0);
        assertEquals(d.get("adam_betas").get(1).asDouble(), PaperDefaults.ADAM_BETA2, 0);
        assertEquals(d.get("logit_scale").asDouble(), PaperDefaults.LOGIT_SCALE, 0);
        JsonNode mix = d.get("adapter_mix");
        // float constants: compare at float precision (0.8 is not exact in either type)
        assertEquals((float) mix.get("residual").asDouble(), PaperDefaults.RESIDUAL_MIX);
        assertEquals((float) mix.get("seg").asDouble(), PaperDefaults.ADAPTER_MIX);
        assertEquals((float) mix.get("det").asDouble(), PaperDefaults.ADAPTER_MIX);
    }

    /** The option strings picocli parses are the same values as the numbers the code uses. */
    @Test
    void optionStringsParseToTheConstants() {
        assertEquals(PaperDefaults.IMG_SIZE, Integer.parseInt(PaperDefaults.IMG_SIZE_OPTION));
        assertEquals(PaperDefaults.SEED, Long.parseLong(PaperDefaults.SEED_OPTION));
        assertEquals(PaperDefaults.SHOT, Integer.parseInt(PaperDefaults.SHOT_OPTION));
        assertEquals(PaperDefaults.ITERATE, Integer.parseInt(PaperDefaults.ITERATE_OPTION));
        assertEquals(PaperDefaults.FEW_SHOT_EPOCHS, Integer.parseInt(PaperDefaults.FEW_SHOT_EPOCHS_OPTION));
        assertEquals(PaperDefaults.ZERO_SHOT_EPOCHS, Integer.parseInt(PaperDefaults.ZERO_SHOT_EPOCHS_OPTION));
        assertEquals(PaperDefaults.FEW_SHOT_LR, Double.parseDouble(PaperDefaults.FEW_SHOT_LR_OPTION), 0);
        assertEquals(PaperDefaults.ZERO_SHOT_LR, Double.parseDouble(PaperDefaults.ZERO_SHOT_LR_OPTION), 0);
    }

    /** The trainer's built-in prompts (what runs when no --prompts is given) carry the same defaults. */
    @Test
    void builtInPromptsAgree() {
        TrainingDefaults d = PromptConfig.builtIn().defaults().orElseThrow();
        assertEquals(PaperDefaults.IMG_SIZE, d.imgSize());
        assertArrayEquals(PaperDefaults.features(), d.features().stream().mapToInt(Integer::intValue).toArray());
        assertEquals(PaperDefaults.FEW_SHOT_LR, d.fewShot().lr(), 0);
        assertEquals(PaperDefaults.ZERO_SHOT_LR, d.zeroShot().lr(), 0);
        assertEquals(PaperDefaults.RESIDUAL_MIX, (float) d.adapterMix().residual());
        assertEquals(PaperDefaults.ADAPTER_MIX, (float) d.adapterMix().seg());
    }
}
