package org.mvfaedge.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.sdk.testing.Npy;
import org.mvfaedge.trainer.text.PromptConfig;

/**
 * The text tower against the reference's prompt-ensemble features for Brain: 12 states x 35
 * templates encoded, each row L2-normalised, averaged per state group (7 normal states first, then
 * 5 abnormal), re-normalised; column 0 normal, column 1 abnormal.
 */
class TextTransformerParityTest {
    @Test
    void brainEnsembleMatchesReference() {
        Npy tokens = Fixtures.npy(TinyA.dir().resolve("text/ensemble_tokens_Brain.npy"));
        try (NDManager manager = NDManager.newBaseManager()) {
            TextTransformer text = ClipLoader.text(manager, TinyA.clip(), Activation.parse(TinyA.config().activation()));
            try (NDManager sub = manager.newSubManager()) {
                NDArray ids = sub.create(tokens.ints(), new Shape(tokens.shape));
                // [states x templates, embed_dim], the normal states' rows first.
                NDArray features = text.encode(new ParameterStore(sub, false), ids, false);
                PromptConfig prompts = PromptConfig.builtIn();
                int normalRows = prompts.normalStates().size() * prompts.templates().size();
                NDArray normal = ensemble(features.get(":" + normalRows));
                NDArray abnormal = ensemble(features.get(normalRows + ":"));
                NDArray both = normal.stack(abnormal, 1); // [embed_dim, 2]
                Fixtures.assertClose("text features Brain (ensemble)", both.toFloatArray(),
                        TinyA.expected("text/text_features_Brain.npy"), 1e-4);
            }
        }
    }

    private static NDArray ensemble(NDArray rows) {
        NDArray unit = rows.div(rows.norm(new int[] {1}, true));
        NDArray mean = unit.mean(new int[] {0});
        return mean.div(mean.norm());
    }
}
