package org.mvfaedge.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.trainer.weights.CheckpointException;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * A second, random configuration of other sizes than the fixture (vision width 192 = 3 heads,
 * 3 layers, patch 8, native grid 4 run at img 40 = grid 5, levels {1, 3}; text width 64, 2 layers,
 * context 16, vocabulary 100; embedding 32), checked through invariants that a wrong block breaks.
 */
class RandomConfigurationTest {
    private static final RandomClip CLIP = new RandomClip(7, 192, 3, 8, 4, 64, 2, 16, 100, 32);
    private static final int IMG = 40;
    private static final int GRID = 5;
    private static final int[] FEATURES = {1, 3};

    private static MvfaVisionModel model(NDManager m, Activation act, StateDict seg, StateDict det) {
        return ClipLoader.mvfaVision(m, CLIP.stateDict(), CLIP.positionsFor(GRID), IMG, FEATURES, act, seg, det);
    }

    private static NDArray images(NDManager m, int n, int side) {
        m.getEngine().setRandomSeed(11);
        return m.randomUniform(0f, 1f, new Shape(n, 3, side, side));
    }

    private static MvfaVisionOutput run(MvfaVisionModel model, NDManager m, NDArray images) {
        return new MvfaVisionOutput(model.forward(new ParameterStore(m, false), new NDList(images), false),
                model.levels());
    }

    @Test
    void architectureIsReadFromTensorShapes() {
        org.mvfaedge.trainer.weights.ClipConfig a = org.mvfaedge.trainer.weights.ClipConfig.fromStateDict(CLIP.stateDict());
        assertEquals(new org.mvfaedge.trainer.weights.ClipConfig(32, 32, 3, 192, 8, 3, 16, 100, 64, 1, 2), a);
        assertEquals(GRID, a.gridFor(IMG));
        assertEquals(GRID, a.gridFor(47), "the last 7 pixels do not make a patch");
    }

    @Test
    void outputShapesFollowTheConfiguration() {
        try (NDManager m = NDManager.newBaseManager()) {
            MvfaVisionModel model = model(m, Activation.GELU, null, null);
            MvfaVisionOutput out = run(model, m, images(m, 2, IMG));
            assertArrayEquals(new long[] {2, 32}, out.pooled().getShape().getShape());
            for (int level = 0; level < 2; level++) {
                // Fresh adapters: MVFA's bottleneck is the embedding size.
                assertArrayEquals(new long[] {2, 1 + GRID * GRID, 32}, out.segTokens(level).getShape().getShape());
                assertArrayEquals(new long[] {2, 1 + GRID * GRID, 32}, out.detTokens(level).getShape().getShape());
            }
        }
    }

    @Test
    void batchOfTwoEqualsTwoBatchesOfOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            MvfaVisionModel model = model(m, Activation.GELU, null, null);
            NDArray both = images(m, 2, IMG);
            MvfaVisionOutput batch = run(model, m, both);
            for (int i = 0; i < 2; i++) {
                MvfaVisionOutput single = run(model, m, both.get(new NDIndex("{}:{}", i, i + 1)));
                for (int k = 0; k < batch.list().size(); k++) {
                    Fixtures.assertClose("random config batch row " + i + " output " + k,
                            batch.list().get(k).get(i).toFloatArray(), single.list().get(k).get(0).toFloatArray(), 1e-5);
                }
            }
            TextTransformer text = ClipLoader.text(m, CLIP.stateDict(), Activation.GELU);
            NDArray ids = tokens(m, new long[] {49, 5, 7, 99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                    new long[] {49, 12, 13, 14, 15, 16, 98, 0, 0, 0, 0, 0, 0, 0, 0, 0});
            ParameterStore ps = new ParameterStore(m, false);
            NDArray encoded = text.encode(ps, ids, false);
            assertArrayEquals(new long[] {2, 32}, encoded.getShape().getShape());
            for (int i = 0; i < 2; i++) {
                Fixtures.assertClose("random config text batch row " + i, encoded.get(i).toFloatArray(),
                        text.encode(ps, ids.get(new NDIndex("{}:{}", i, i + 1)), false).toFloatArray(), 1e-5);
            }
        }
    }

    @Test
    void pixelsBeyondTheGridAreNeverSeen() {
        try (NDManager m = NDManager.newBaseManager()) {
            MvfaVisionModel model = model(m, Activation.GELU, null, null);
            NDArray big = images(m, 1, 47);
            NDArray cropped = big.get(new NDIndex(":, :, :40, :40"));
            MvfaVisionOutput a = run(model, m, big);
            MvfaVisionOutput b = run(model, m, cropped);
            for (int k = 0; k < a.list().size(); k++) {
                Fixtures.assertClose("47px vs 40px crop output " + k, a.list().get(k).toFloatArray(),
                        b.list().get(k).toFloatArray(), 1e-6);
            }
            NDArray tooSmall = images(m, 1, 39);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(model, m, tooSmall));
            assertTrue(e.getMessage().contains("5x5"), e.getMessage());
        }
    }

    @Test
    void quickGeluAndGeluGiveDifferentModels() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray img = images(m, 1, IMG);
            StateDict seg = RandomClip.constantAdapters(2, 192, 24, 0.01f);
            StateDict det = RandomClip.constantAdapters(2, 192, 24, -0.01f);
            float[] gelu = run(model(m, Activation.GELU, seg, det), m, img).pooled().toFloatArray();
            float[] quick = run(model(m, Activation.QUICK_GELU, seg, det), m, img).pooled().toFloatArray();
            double d = Fixtures.maxAbsDiff(gelu, quick);
            System.out.printf("random config gelu vs quick-gelu pooled max abs diff %.3e (must exceed 1e-3)%n", d);
            assertTrue(d > 1e-3, "the activation choice has no effect: " + d);
        }
    }

    @Test
    void activationsMatchHandComputedValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {-2f, -0.5f, 1f, 3f});
            // 0.5 x (1 + erf(x / sqrt 2)) and x * sigmoid(1.702 x), evaluated in double precision.
            Fixtures.assertClose("gelu at -2, -0.5, 1, 3", Activation.GELU.apply(x).toFloatArray(),
                    new float[] {-0.04550026f, -0.15426877f, 0.84134475f, 2.9959503f}, 1e-6);
            Fixtures.assertClose("quick-gelu at -2, -0.5, 1, 3", Activation.QUICK_GELU.apply(x).toFloatArray(),
                    new float[] {-0.06434138f, -0.14961156f, 0.84579577f, 2.9819287f}, 1e-6);
        }
        assertEquals(Activation.GELU, Activation.defaultChoice());
        assertEquals(Activation.QUICK_GELU, Activation.parse("Quick_GELU"));
        assertThrows(IllegalArgumentException.class, () -> Activation.parse("relu"));
    }

    @Test
    void zeroAdaptersGiveZeroTokensAndScaleTheResidual() {
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict zero = RandomClip.constantAdapters(2, 192, 24, 0f);
            MvfaVisionModel model = model(m, Activation.GELU, zero, zero);
            NDArray img = images(m, 1, IMG);
            MvfaVisionOutput out = run(model, m, img);
            for (int level = 0; level < 2; level++) {
                assertArrayEquals(new long[] {1, 26, 24}, out.segTokens(level).getShape().getShape());
                assertEquals(0f, out.segTokens(level).abs().max().getFloat());
                assertEquals(0f, out.detTokens(level).abs().max().getFloat());
            }
            // With silent adapters each level only scales the residual stream by 0.8.
            ParameterStore ps = new ParameterStore(m, false);
            VisionTransformer vit = model.visual();
            NDArray x = vit.applyLayers(ps, vit.embed(ps, img, false), 0, 1, false).mul(0.8f);
            x = vit.applyLayers(ps, x, 1, 3, false).mul(0.8f);
            Fixtures.assertClose("zero adapters pooled vs 0.8-scaled residual", out.pooled().toFloatArray(),
                    vit.pool(ps, x, false).toFloatArray(), 1e-6);
            NDArray plain = vit.forward(ps, new NDList(img), false).singletonOrThrow();
            assertTrue(Fixtures.maxAbsDiff(plain.toFloatArray(), out.pooled().toFloatArray()) > 1e-3,
                    "the 0.8 scaling must change the pooled embedding");
        }
    }

    @Test
    void forwardLeavesNoArraysInTheModelManager() {
        try (NDManager m = NDManager.newBaseManager()) {
            MvfaVisionModel model = model(m, Activation.GELU, null, null);
            TextTransformer text = ClipLoader.text(m, CLIP.stateDict(), Activation.GELU);
            int before = m.getManagedArrays().size();
            try (NDManager batch = m.newSubManager()) {
                run(model, batch, images(batch, 2, IMG));
                text.encode(new ParameterStore(batch, false),
                        tokens(batch, new long[] {49, 5, 7, 99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), false);
            }
            assertEquals(before, m.getManagedArrays().size(),
                    "temporaries of a forward pass must belong to the input's manager");
        }
    }

    @Test
    void cachedPrefixCanBeReusedAcrossSteps() {
        try (NDManager m = NDManager.newBaseManager(); NDManager cache = m.newSubManager()) {
            MvfaVisionModel model = model(m, Activation.GELU, null, null);
            NDArray img = images(cache, 1, IMG);
            NDArray hidden = model.frozenPrefix(new ParameterStore(cache, false), img, false);
            float[] first = null;
            for (int step = 0; step < 2; step++) {
                int cached = cache.getManagedArrays().size();
                try (NDManager stepManager = m.newSubManager()) {
                    hidden.tempAttach(stepManager);
                    float[] pooled = new MvfaVisionOutput(model.continueFromPrefix(
                            new ParameterStore(stepManager, false), hidden, true), model.levels()).pooled().toFloatArray();
                    if (first == null) {
                        first = pooled;
                    } else {
                        Fixtures.assertClose("cached prefix, second step vs first", pooled, first, 0);
                    }
                }
                assertEquals(cached, cache.getManagedArrays().size(), "a step must leave nothing in the cache");
                assertFalse(hidden.isReleased(), "the cached prefix must survive the step");
            }
        }
    }

    @Test
    void frozenPrefixThenContinueEqualsForward() {
        try (NDManager m = NDManager.newBaseManager()) {
            MvfaVisionModel model = model(m, Activation.GELU, null, null);
            assertEquals(1, model.prefixLayers());
            NDArray img = images(m, 2, IMG);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray hidden = model.frozenPrefix(ps, img, false);
            assertArrayEquals(new long[] {2, 26, 192}, hidden.getShape().getShape());
            NDList resumed = model.continueFromPrefix(ps, hidden, false);
            NDList full = model.forward(ps, new NDList(img), false);
            for (int k = 0; k < full.size(); k++) {
                Fixtures.assertClose("prefix + continue vs forward, output " + k, resumed.get(k).toFloatArray(),
                        full.get(k).toFloatArray(), 0);
            }
        }
    }

    @Test
    void causalMaskHidesTokensAfterTheEndToken() {
        try (NDManager m = NDManager.newBaseManager()) {
            TextTransformer text = ClipLoader.text(m, CLIP.stateDict(), Activation.GELU);
            ParameterStore ps = new ParameterStore(m, false);
            long[] base = {49, 5, 7, 99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
            long[] after = base.clone();
            after[8] = 42; // after the end token (id 99, the largest)
            long[] before = base.clone();
            before[1] = 42;
            float[] ref = text.encode(ps, tokens(m, base), false).toFloatArray();
            Fixtures.assertClose("text: token after the end token changes nothing",
                    text.encode(ps, tokens(m, after), false).toFloatArray(), ref, 1e-6);
            double d = Fixtures.maxAbsDiff(text.encode(ps, tokens(m, before), false).toFloatArray(), ref);
            assertTrue(d > 1e-4, "a token before the end token must matter: " + d);
            assertThrows(IllegalArgumentException.class, () -> text.encode(ps,
                    tokens(m, new long[] {49, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), false));
            assertThrows(IllegalArgumentException.class, () -> text.encode(ps, m.create(new long[] {1, 2, 3},
                    new Shape(1, 3)), false));
        }
    }

    @Test
    void badConfigurationsFailWithMessages() {
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict sd = CLIP.stateDict();
            for (int[] f : new int[][] {{0, 2}, {2, 1}, {4}, {}}) {
                assertThrows(ModelConfigException.class, () -> ClipLoader.mvfaVision(m, sd, CLIP.positionsFor(GRID),
                        IMG, f, Activation.GELU, null, null), java.util.Arrays.toString(f));
            }
            ModelConfigException pos = assertThrows(ModelConfigException.class, () -> ClipLoader.mvfaVision(m, sd,
                    CLIP.positionsFor(4), IMG, FEATURES, Activation.GELU, null, null));
            assertTrue(pos.getMessage().contains("resize"), pos.getMessage());
            StateDict three = RandomClip.constantAdapters(3, 192, 24, 0f);
            CheckpointException levels = assertThrows(CheckpointException.class, () -> model(m, Activation.GELU,
                    three, three));
            assertTrue(levels.getMessage().contains("3 levels"), levels.getMessage());
            StateDict narrow = RandomClip.constantAdapters(2, 128, 24, 0f);
            CheckpointException width = assertThrows(CheckpointException.class, () -> model(m, Activation.GELU,
                    narrow, narrow));
            assertTrue(width.getMessage().contains("0.fc1.0.weight"), width.getMessage());
        }
    }

    private static NDArray tokens(NDManager m, long[]... rows) {
        long[] flat = new long[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        return m.create(flat, new Shape(rows.length, rows[0].length));
    }
}
