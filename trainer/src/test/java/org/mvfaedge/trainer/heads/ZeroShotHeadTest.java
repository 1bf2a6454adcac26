package org.mvfaedge.trainer.heads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.testing.Fixtures;

/** The zero-shot head against test_zero.py's per-image outputs in the tiny-a fixture. */
class ZeroShotHeadTest {

    static List<String> zeroShotObjects() {
        return HeadFixture.config().zeroShotObjects();
    }

    @ParameterizedTest
    @MethodSource("zeroShotObjects")
    void pixelMapsAndImageScoresMatchTheReference(String object) {
        int size = HeadFixture.imageSize();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray text = HeadFixture.array(m, HeadFixture.dir().resolve("text/text_features_" + object + ".npy"));
            List<NDArray> seg = HeadFixture.batchLevels(m, "seg");
            List<NDArray> det = HeadFixture.batchLevels(m, "det");
            ZeroShotHead head = new ZeroShotHead(size);
            try (ZeroShotOutput out = head.forward(seg, det, text)) {
                assertEquals(new Shape(HeadFixture.images(), size, size), out.pixelMap().getShape());
                assertEquals(new Shape(HeadFixture.images()), out.imageScore().getShape());
                Fixtures.assertClose("zero-shot " + object + " pixel map of every forward image", out.pixelMap().toFloatArray(),
                        HeadFixture.expected("zero_" + object + "_pixel_map.npy"), 1e-4);
                Fixtures.assertClose("zero-shot " + object + " image score of every forward image", out.imageScore().toFloatArray(),
                        HeadFixture.expected("zero_" + object + "_image_score.npy"), 1e-4);

                // Per level: probabilities over (normal, abnormal) sum to one, scores are in 0..1.
                assertEquals(seg.size(), out.levelProbabilities().size());
                for (NDArray p : out.levelProbabilities()) {
                    assertEquals(new Shape(HeadFixture.images(), 2, size, size), p.getShape());
                    float[] sums = p.sum(new int[] {1}).toFloatArray();
                    for (float v : sums) {
                        assertEquals(1f, v, 1e-5f);
                    }
                }
                for (NDArray s : out.levelImageScores()) {
                    for (float v : s.toFloatArray()) {
                        assertTrue(v >= 0 && v <= 1, "level score " + v);
                    }
                }
            }
        }
    }

    @Test
    void oneImageAloneGivesTheSameMapAsInABatch() {
        // The last forward image at the last level, alone and as a row of the whole batch.
        int last = HeadFixture.images() - 1;
        int level = HeadFixture.levels() - 1;
        try (NDManager m = NDManager.newBaseManager()) {
            String object = HeadFixture.config().zeroShotObjects().get(0);
            NDArray text = HeadFixture.array(m, HeadFixture.dir().resolve("text/text_features_" + object + ".npy"));
            NDArray alone = HeadFixture.array(m,
                    HeadFixture.dir().resolve("forward/img" + last + "/seg_tokens_level" + level + ".npy")).expandDims(0);
            ZeroShotHead head = new ZeroShotHead(HeadFixture.imageSize());
            NDArray single = head.pixelProbabilities(alone, text);
            NDArray batch = head.pixelProbabilities(HeadFixture.batchTokens(m, "seg", level), text);
            Fixtures.assertClose("zero-shot level probabilities single vs batch", single.toFloatArray(),
                    batch.get(last + ":" + (last + 1)).toFloatArray(), 1e-6);
        }
    }

    @Test
    void gradientsFlowBackToTheTokens() {
        // Autograd through normalise, matmul, upsampling and softmax agrees with central differences
        // (float64, so the difference quotient is accurate), after the head closed its intermediates.
        int g = 3;
        int c = 4;
        int s = 7;
        Random rnd = new Random(7);
        double[] tok = new double[2 * (1 + g * g) * c];
        for (int i = 0; i < tok.length; i++) {
            tok[i] = rnd.nextGaussian();
        }
        double[] txt = new double[c * 2];
        for (int i = 0; i < txt.length; i++) {
            txt[i] = rnd.nextGaussian() * 0.05;
        }
        double[] weights = new double[2 * s * s];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = rnd.nextDouble();
        }
        ZeroShotHead head = new ZeroShotHead(s);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray text = m.create(txt, new Shape(c, 2));
            NDArray w = m.create(weights, new Shape(2, s, s));
            NDArray tokens = m.create(tok, new Shape(2, 1 + g * g, c));
            tokens.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = loss(head, tokens, text, w);
                gc.backward(loss);
            }
            double[] grad = tokens.getGradient().toDoubleArray();
            assertEquals(DataType.FLOAT64, tokens.getGradient().getDataType());
            double h = 1e-6;
            double worst = 0;
            double largest = 0;
            // CLS tokens (index 0 of each image) do not reach the outputs: their gradient is zero.
            for (int idx = 0; idx < tok.length; idx++) {
                double[] plus = tok.clone();
                double[] minus = tok.clone();
                plus[idx] += h;
                minus[idx] -= h;
                double fp = loss(head, m.create(plus, new Shape(2, 1 + g * g, c)), text, w).getDouble();
                double fm = loss(head, m.create(minus, new Shape(2, 1 + g * g, c)), text, w).getDouble();
                double numeric = (fp - fm) / (2 * h);
                worst = Math.max(worst, Math.abs(numeric - grad[idx]));
                largest = Math.max(largest, Math.abs(grad[idx]));
                if (idx % ((1 + g * g) * c) < c) {
                    assertEquals(0.0, grad[idx], 0.0, "CLS gradient");
                }
            }
            System.out.printf("zero-shot head gradient vs central differences: max abs diff %.3e (largest %.3e)%n",
                    worst, largest);
            assertTrue(largest > 1e-3, "gradient should not vanish");
            assertTrue(worst < 1e-6 * Math.max(1, largest), "autograd vs numeric: " + worst);
        }
    }

    /** A loss that touches every output: per-level probabilities, the image score and the summed map. */
    private static NDArray loss(ZeroShotHead head, NDArray tokens, NDArray text, NDArray w) {
        try (ZeroShotOutput out = head.forward(List.of(tokens), List.of(tokens), text)) {
            return out.levelProbabilities().get(0).mul(w).sum()
                    .add(out.imageScore().sum().mul(3))
                    .add(out.pixelMap().sum().mul(0.5));
        }
    }

    @Test
    void wrongShapesAreRejectedWithTheExpectedLayout() {
        ZeroShotHead head = new ZeroShotHead(8);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray text = m.zeros(new Shape(4, 2));
            NDArray noBatch = m.zeros(new Shape(5, 4));
            HeadInputException e = assertThrows(HeadInputException.class, () -> head.pixelProbabilities(noBatch, text));
            assertTrue(e.getMessage().contains("[N, 1 + G*G, C]"), e.getMessage());
            NDArray notSquare = m.zeros(new Shape(1, 7, 4));
            e = assertThrows(HeadInputException.class, () -> head.imageScore(notSquare, text));
            assertTrue(e.getMessage().contains("got 7 tokens"), e.getMessage());
            NDArray wideTokens = m.zeros(new Shape(1, 5, 6));
            e = assertThrows(HeadInputException.class, () -> head.imageScore(wideTokens, text));
            assertTrue(e.getMessage().contains("C = 6"), e.getMessage());
            assertThrows(HeadInputException.class, () -> head.forward(List.of(), List.of(), text));
            assertThrows(HeadInputException.class, () -> new ZeroShotHead(0));
        }
    }
}
