package org.mvfaedge.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * After loading the fixture model, CLIP is frozen and the adapters train: a backward pass through a
 * loss on the level tokens reaches every adapter weight that feeds a token, and no CLIP weight.
 */
class AdapterGradientTest {
    @Test
    void onlyAdaptersReceiveGradients() {
        try (NDManager manager = NDManager.newBaseManager()) {
            MvfaVisionModel model = TinyA.model(manager);
            int clipParams = 0;
            for (Pair<String, Parameter> p : model.visual().getParameters()) {
                assertFalse(p.getValue().requiresGradient(), p.getKey() + " must be frozen");
                assertFalse(p.getValue().getArray().hasGradient(), p.getKey() + " must not track gradients");
                clipParams++;
            }
            // conv1, class, positions, proj, ln_pre/post (2 + 2), and 12 per transformer layer.
            assertEquals(4 + 4 + TinyA.config().visionLayers() * 12, clipParams);
            List<Parameter> adapters = model.adapterParameters();
            assertEquals(TinyA.config().levels(), model.levels());
            // seg and det, fc1 and fc2, per level.
            assertEquals(2 * 2 * TinyA.config().levels(), adapters.size());
            for (Parameter p : adapters) {
                assertTrue(p.requiresGradient() && p.getArray().hasGradient(), p.getName() + " must be trainable");
            }
            int last = model.levels() - 1;
            try (NDManager sub = manager.newSubManager();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                ParameterStore ps = new ParameterStore(sub, false);
                NDArray hidden = model.frozenPrefix(ps, TinyA.input(sub, 0), true);
                assertFalse(hidden.hasGradient(), "the frozen prefix must run outside the gradient tape");
                MvfaVisionOutput out = new MvfaVisionOutput(model.continueFromPrefix(ps, hidden, true), model.levels());
                NDArray loss = sub.zeros(new ai.djl.ndarray.types.Shape());
                for (int level = 0; level <= last; level++) {
                    loss = loss.add(out.segTokens(level).square().mean()).add(out.detTokens(level).mean());
                }
                collector.backward(loss);
                for (int level = 0; level <= last; level++) {
                    for (String branch : List.of("seg", "det")) {
                        ResidualAdapter a = branch.equals("seg") ? model.segAdapter(level) : model.detAdapter(level);
                        float fc1 = a.fc1().getArray().getGradient().abs().max().getFloat();
                        float fc2 = a.fc2().getArray().getGradient().abs().max().getFloat();
                        System.out.printf("gradient %s level %d fc1 max |g| %.3e, fc2 max |g| %.3e%n", branch, level, fc1,
                                fc2);
                        assertTrue(fc1 > 0, "level " + level + " fc1 got no gradient");
                        if (level == last) {
                            // The last level's fc2 output only reaches the pooled embedding, not the tokens.
                            assertEquals(0f, fc2, "last level fc2 cannot affect the tokens");
                        } else {
                            assertTrue(fc2 > 0, "level " + level + " fc2 got no gradient");
                        }
                    }
                }
                for (Pair<String, Parameter> p : model.visual().getParameters()) {
                    assertFalse(p.getValue().getArray().hasGradient(), p.getKey() + " got a gradient");
                }
            }
        }
    }
}
