package org.mvfaedge.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.model.MvfaVisionModel;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.pipeline.MvfaSettings;
import org.mvfaedge.trainer.text.ObjectInfo;
import org.mvfaedge.trainer.text.PromptConfig;

/**
 * The reference's three training steps (train_few.py's step, batch 1) from {@code adapters/initial.pth}:
 * losses against {@code fixture.json}, and every adapter weight and gradient after each step against
 * {@code train/step<s>/}; weights without a recorded gradient must not have moved.
 */
class TrainStepParityTest {
    static final double REL = 1e-3;
    static final double LOSS_REL = 1e-4;

    @Test
    void threeStepsMatchTheReference() throws IOException {
        FixtureConfig cfg = FixtureConfig.get();
        Path fx = cfg.dir();
        MvfaSettings settings = new MvfaSettings(fx.resolve("clip/clip-torchscript.pt"), Fixtures.bpe(),
                PromptConfig.builtIn(), cfg.imgSize(), cfg.features(), Activation.parse(cfg.activation()),
                fx.resolve("adapters/initial.pth"));
        int last = cfg.levels() - 1;
        String lastFc2 = "." + last + ".fc2.0.weight";
        try (MvfaModel model = MvfaModel.load(settings);
                AdapterTraining training = new AdapterTraining(model, 1e-3, DetLoss.BCE_WITH_LOGITS_ON_PROBABILITY)) {
            Map<String, float[]> before = weights(model.vision());
            assertEquals(cfg.adapterTensorNames(), List.copyOf(before.keySet()));
            for (FixtureConfig.TrainStep step : cfg.trainSteps()) {
                int s = step.step();
                String image = step.image();
                ObjectInfo object = model.promptConfig().object(step.object());
                float label = step.label();
                float[] input = cfg.input(image);
                // Normal images train with an all-zero mask, as the reference's augment() gives them.
                float[] mask = label > 0 ? cfg.mask(image) : new float[cfg.pixels()];
                StepLosses got = training.stepImage(input, object.hasMasks() ? mask : null, label, object);
                System.out.printf("step %d %s %s: det %.7f focal %.7f dice %.7f seg %.7f loss %.7f%n", s,
                        object.name(), image, got.det(), got.focal(), got.dice(), got.seg(), got.total());
                rel("step " + s + " det_loss", got.det(), step.loss("det_loss"));
                rel("step " + s + " loss", got.total(), step.loss("loss"));
                if (step.hasSegLoss()) {
                    rel("step " + s + " focal_loss", got.focal(), step.loss("focal_loss"));
                    rel("step " + s + " dice_loss", got.dice(), step.loss("dice_loss"));
                    rel("step " + s + " seg_loss", got.seg(), step.loss("seg_loss"));
                } else {
                    assertTrue(!got.hasSeg(), "image-level object must have no seg loss");
                }
                Map<String, float[]> now = weights(model.vision());
                Map<String, float[]> grads = gradients(model.vision());
                Path dir = fx.resolve("train/step" + s);
                int checked = 0;
                for (Map.Entry<String, float[]> e : now.entrySet()) {
                    String name = e.getKey();
                    Fixtures.assertRelClose("step " + s + " " + name, e.getValue(),
                            Fixtures.npy(dir.resolve(name + ".npy")).floats(), REL);
                    Path g = dir.resolve(name + ".grad.npy");
                    if (Files.exists(g)) {
                        Fixtures.assertRelClose("step " + s + " " + name + ".grad", grads.get(name),
                                Fixtures.npy(g).floats(), REL);
                    } else if (name.endsWith(lastFc2) || step.hasSegLoss() || name.startsWith("det")) {
                        // No gradient recorded: the weight must not have moved in this step.
                        assertTrue(Arrays.equals(before.get(name), e.getValue()), name + " moved in step " + s
                                + " without a gradient");
                    }
                    checked++;
                }
                assertEquals(cfg.adapterTensorCount(), checked, "levels x (seg, det) x (fc1, fc2)");
                if (!object.hasMasks()) {
                    for (String name : now.keySet()) {
                        if (name.startsWith("seg")) {
                            assertTrue(Arrays.equals(before.get(name), now.get(name)),
                                    "seg weights must not move in an image-level step: " + name);
                        }
                    }
                }
                before = now;
            }
            // The optimizers hold fc1, fc2 per level: the last level's fc2 (index 2 * last + 1) never had a
            // gradient, so its Adam state stays empty; level 0's fc1 moved in every step of its branch.
            assertEquals(0, training.segOptimizer().steps(2 * last + 1));
            assertEquals(0, training.detOptimizer().steps(2 * last + 1));
            assertEquals(cfg.segTrainSteps(), training.segOptimizer().steps(0));
            assertEquals(cfg.trainSteps().size(), training.detOptimizer().steps(0));
        }
    }

    private static void rel(String quantity, double got, double expected) {
        double r = Math.abs(got - expected) / Math.max(Math.abs(expected), 1e-12);
        System.out.printf("parity %-50s max rel diff %.3e (tol %.1e)%n", quantity, r, LOSS_REL);
        assertTrue(r <= LOSS_REL, quantity + ": " + got + " vs " + expected);
    }

    static Map<String, float[]> weights(MvfaVisionModel v) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String branch : new String[] {"seg", "det"}) {
            for (int l = 0; l < v.levels(); l++) {
                var a = branch.equals("seg") ? v.segAdapter(l) : v.detAdapter(l);
                out.put(branch + "_adapters." + l + ".fc1.0.weight", a.fc1().getArray().toFloatArray());
                out.put(branch + "_adapters." + l + ".fc2.0.weight", a.fc2().getArray().toFloatArray());
            }
        }
        return out;
    }

    static Map<String, float[]> gradients(MvfaVisionModel v) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String branch : new String[] {"seg", "det"}) {
            for (int l = 0; l < v.levels(); l++) {
                var a = branch.equals("seg") ? v.segAdapter(l) : v.detAdapter(l);
                out.put(branch + "_adapters." + l + ".fc1.0.weight", grad(a.fc1()));
                out.put(branch + "_adapters." + l + ".fc2.0.weight", grad(a.fc2()));
            }
        }
        return out;
    }

    private static float[] grad(Parameter p) {
        try (var g = p.getArray().getGradient()) {
            return g.toFloatArray();
        }
    }
}
