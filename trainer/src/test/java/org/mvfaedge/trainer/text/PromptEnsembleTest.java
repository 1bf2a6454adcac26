package org.mvfaedge.trainer.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.sdk.testing.Npy;

/** Prompt sentences and tokens against the reference, and the ensemble math on a fake encoder. */
class PromptEnsembleTest {
    @Test
    void brainTokensMatchReference() {
        PromptConfig config = PromptConfig.load(Fixtures.shared().resolve("mvfa/prompts.json"));
        BpeTokenizer tokenizer = BpeTokenizer.load(Fixtures.bpe());
        int context = FixtureConfig.get().contextLength();
        PromptEnsemble ensemble = new PromptEnsemble(config, tokenizer, context);
        ObjectInfo brain = config.object("Brain");
        int n = (config.normalStates().size() + config.abnormalStates().size()) * config.templates().size();
        Npy expected = Fixtures.npy(Fixtures.fixture().resolve("text/ensemble_tokens_Brain.npy"));
        assertArrayEquals(new long[] {n, context}, expected.shape);

        List<String> sentences = ensemble.sentences(brain);
        // States outer, templates inner: the first template with the first state, then the next template.
        assertEquals(PythonFormat.format(config.templates().get(0), PythonFormat.format(config.normalStates().get(0), "Brain")),
                sentences.get(0));
        assertEquals(PythonFormat.format(config.templates().get(1), PythonFormat.format(config.normalStates().get(0), "Brain")),
                sentences.get(1));
        BpeTokenizerTest.assertClose("text/ensemble_tokens_Brain", ensemble.tokens(brain), expected.ints());
    }

    /**
     * Two states per group, one template, embedDim 2. The fake encoder maps each sentence (decoded
     * from its tokens) to a fixed vector. By hand: normal (3,4)/5 = (0.6,0.8) and (0,2)/2 = (0,1)
     * average (0.3,0.9), norm sqrt(0.9), so (1,3)/sqrt(10); abnormal (5,0) -> (1,0) and (0,-2) ->
     * (0,-1) average (0.5,-0.5), so (1,-1)/sqrt(2).
     */
    @Test
    void ensembleMathOnFakeEncoder() {
        BpeTokenizer tokenizer = BpeTokenizer.load(Fixtures.bpe());
        PromptConfig config = new PromptConfig(List.of("{}", "good {}"), List.of("bad {}", "{} with flaw"),
                List.of("a photo of a {}."), List.of(new ObjectInfo("Thing", "widget", 1, true)), null);
        Map<String, float[]> vectors = Map.of(
                "a photo of a widget . ", new float[] {3, 4},
                "a photo of a good widget . ", new float[] {0, 2},
                "a photo of a bad widget . ", new float[] {5, 0},
                "a photo of a widget with flaw . ", new float[] {0, -2});
        List<Integer> callSizes = new ArrayList<>();
        TextEncoder fake = tokens -> {
            callSizes.add(tokens.length);
            float[][] out = new float[tokens.length][];
            for (int i = 0; i < tokens.length; i++) {
                String text = tokenizer.decodeTokenized(tokens[i]);
                out[i] = vectors.get(text);
                if (out[i] == null) {
                    throw new AssertionError("unexpected sentence: \"" + text + "\"");
                }
            }
            return out;
        };
        TextFeatures features = new PromptEnsemble(config, tokenizer, 77).textFeatures("Thing", fake);
        double r10 = Math.sqrt(10);
        double r2 = Math.sqrt(2);
        float[] expected = {(float) (1 / r10), (float) (1 / r2), (float) (3 / r10), (float) (-1 / r2)};
        assertEquals(2, features.embedDim());
        Fixtures.assertClose("text features (fake encoder, by hand)", features.data(), expected, 1e-7);
        Fixtures.assertClose("text features normal column", features.normal(),
                new float[] {(float) (1 / r10), (float) (3 / r10)}, 1e-7);
        // One encoder call per state group, as the reference's encode_text per group.
        assertEquals(List.of(2, 2), callSizes);
    }

    @Test
    void unusableEncoderOutputIsReported() {
        assertThrows(IllegalArgumentException.class,
                () -> PromptEnsemble.ensembleDirection(new float[][] {{1, 0}, {0, 0}}));
        assertThrows(IllegalArgumentException.class,
                () -> PromptEnsemble.ensembleDirection(new float[][] {{1, 0}, {-1, 0}}));
        float[] single = PromptEnsemble.ensembleDirection(new float[][] {{0, -4, 3}});
        assertArrayEquals(new float[] {0f, -0.8f, 0.6f}, single, 1e-7f);
    }
}
