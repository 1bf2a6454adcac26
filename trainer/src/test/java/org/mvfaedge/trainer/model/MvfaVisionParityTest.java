package org.mvfaedge.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;

/**
 * The DJL image model against the reference's outputs on the golden fixture: every level's seg and
 * det tokens and the pooled embedding of every forward image, adapters {@code initial.pth}.
 */
class MvfaVisionParityTest {
    private static final double TOL = 1e-4;
    private static NDManager manager;
    private static MvfaVisionModel model;

    @BeforeAll
    static void load() {
        Fixtures.fixture();
        manager = NDManager.newBaseManager();
        model = TinyA.model(manager);
    }

    @AfterAll
    static void close() {
        if (manager != null) {
            manager.close();
        }
    }

    static IntStream forwardImages() {
        return IntStream.range(0, FixtureConfig.get().images());
    }

    @ParameterizedTest
    @MethodSource("forwardImages")
    void tokensAndPooledMatchReference(int image) {
        FixtureConfig cfg = TinyA.config();
        try (NDManager sub = manager.newSubManager()) {
            NDArray in = TinyA.input(sub, image);
            MvfaVisionOutput out = new MvfaVisionOutput(
                    model.forward(new ParameterStore(sub, false), new NDList(in), false), model.levels());
            String dir = "forward/img" + image + "/";
            assertEquals(cfg.levels(), model.levels(), "one adapter level per feature " + cfg.featuresArg());
            for (int level = 0; level < model.levels(); level++) {
                NDArray seg = out.segTokens(level);
                // grid^2 patches + CLS, bottleneck wide.
                assertArrayEquals(new long[] {1, cfg.tokens(), cfg.bottleneck()}, seg.getShape().getShape(),
                        "seg tokens of level " + level + " (grid " + cfg.grid() + " at img_size " + cfg.imgSize() + ")");
                Fixtures.assertClose("img" + image + " seg tokens level " + level, seg.toFloatArray(),
                        TinyA.expected(dir + "seg_tokens_level" + level + ".npy"), TOL);
                Fixtures.assertClose("img" + image + " det tokens level " + level,
                        out.detTokens(level).toFloatArray(),
                        TinyA.expected(dir + "det_tokens_level" + level + ".npy"), TOL);
            }
            assertEquals(cfg.embedDim(), out.pooled().getShape().get(1), "pooled width = embed_dim");
            Fixtures.assertClose("img" + image + " pooled", out.pooled().toFloatArray(),
                    TinyA.expected(dir + "pooled.npy"), TOL);
        }
    }
}
