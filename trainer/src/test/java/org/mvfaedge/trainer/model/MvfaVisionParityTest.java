package org.mvfaedge.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mvfaedge.sdk.testing.Fixtures;

/**
 * The DJL image model against the reference's outputs on the tiny-a fixture: every level's seg and
 * det tokens and the pooled embedding of img0..img2, adapters {@code initial.pth}.
 */
class MvfaVisionParityTest {
    private static final double TOL = 1e-4;
    private static NDManager manager;
    private static MvfaVisionModel model;

    @BeforeAll
    static void load() {
        Fixtures.tinyA();
        manager = NDManager.newBaseManager();
        model = TinyA.model(manager);
    }

    @AfterAll
    static void close() {
        if (manager != null) {
            manager.close();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void tokensAndPooledMatchReference(int image) {
        try (NDManager sub = manager.newSubManager()) {
            NDArray in = TinyA.input(sub, image);
            MvfaVisionOutput out = new MvfaVisionOutput(
                    model.forward(new ParameterStore(sub, false), new NDList(in), false), model.levels());
            String dir = "forward/img" + image + "/";
            for (int level = 0; level < model.levels(); level++) {
                NDArray seg = out.segTokens(level);
                assertArrayEquals(new long[] {1, 26, 96}, seg.getShape().getShape());
                Fixtures.assertClose("img" + image + " seg tokens level " + level, seg.toFloatArray(),
                        TinyA.expected(dir + "seg_tokens_level" + level + ".npy"), TOL);
                Fixtures.assertClose("img" + image + " det tokens level " + level,
                        out.detTokens(level).toFloatArray(),
                        TinyA.expected(dir + "det_tokens_level" + level + ".npy"), TOL);
            }
            assertEquals(96, out.pooled().getShape().get(1));
            Fixtures.assertClose("img" + image + " pooled", out.pooled().toFloatArray(),
                    TinyA.expected(dir + "pooled.npy"), TOL);
        }
    }
}
