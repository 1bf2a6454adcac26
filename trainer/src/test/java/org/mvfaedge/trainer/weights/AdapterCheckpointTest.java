package org.mvfaedge.trainer.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.sdk.testing.Npy;

/** MVFA's .pth adapter checkpoints load, round-trip through safetensors, and refuse a wrong model. */
class AdapterCheckpointTest {
    @TempDir
    Path tmp;

    @Test
    void pthHasTheFixtureGeometry() {
        FixtureConfig f = FixtureConfig.get();
        AdapterWeights w = AdapterCheckpoint.read(f.file("adapters/initial.pth"));
        assertEquals(f.levels(), w.levels());
        assertEquals(f.visionWidth(), w.width());
        assertEquals(f.bottleneck(), w.bottleneck());
        assertEquals(new java.util.TreeSet<>(f.adapterTensorNames()), new java.util.TreeSet<>(w.toTensors().keySet()));
        assertArrayEquals(new long[] {w.width(), w.bottleneck()}, w.fc2(AdapterWeights.DET, w.levels() - 1).shape());
    }

    @Test
    void afterThreeStepsEqualsTheWeightsTheReferenceDumpedAfterStepTwo() {
        AdapterWeights w = AdapterCheckpoint.read(Fixtures.fixture().resolve("adapters/after_3_steps.pth"));
        Path step = Fixtures.fixture().resolve("train/step2");
        float[] got = new float[0];
        float[] want = new float[0];
        int compared = 0;
        for (Map.Entry<String, HostTensor> e : w.toTensors().entrySet()) {
            Npy ref = Fixtures.npy(step.resolve(e.getKey() + ".npy"));
            assertArrayEquals(ref.shape, e.getValue().shape(), e.getKey());
            got = concat(got, e.getValue().floats());
            want = concat(want, ref.floats());
            compared++;
        }
        assertEquals(FixtureConfig.get().adapterTensorCount(), compared);
        // The .pth is what the reference saved after its third step: the very same float32 values.
        Fixtures.assertClose("adapters after_3_steps.pth vs train/step2 dumps", got, want, 0.0);
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void roundTripThroughSafetensorsKeepsEveryValue() throws IOException {
        AdapterWeights pth = AdapterCheckpoint.read(Fixtures.fixture().resolve("adapters/after_3_steps.pth"));
        // Named .pth on purpose: the reader decides by content, not by extension.
        Path out = tmp.resolve("adapters.pth");
        String features = FixtureConfig.get().featuresArg();
        AdapterCheckpoint.write(out, pth, Map.of("features", features));
        Map<String, String> meta = new HashMap<>();
        AdapterWeights back = AdapterCheckpoint.read(out, meta);
        assertEquals(features, meta.get("features"));
        assertEquals(AdapterCheckpoint.FORMAT_VALUE, meta.get(AdapterCheckpoint.FORMAT_KEY));
        assertEquals(List.copyOf(pth.toTensors().keySet()), List.copyOf(back.toTensors().keySet()));
        for (String name : pth.toTensors().keySet()) {
            assertArrayEquals(pth.toTensors().get(name).floats(), back.toTensors().get(name).floats(), name);
            assertArrayEquals(pth.toTensors().get(name).shape(), back.toTensors().get(name).shape(), name);
        }
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void validateForAcceptsTheFixtureModelAndNamesWhatDoesNotFit() {
        AdapterWeights w = AdapterCheckpoint.read(Fixtures.fixture().resolve("adapters/initial.pth"));
        // the model the fixture describes (fixture.json), not the checkpoint's own dimensions
        FixtureConfig cfg = FixtureConfig.get();
        assertDoesNotThrow(() -> w.validateFor(cfg.features(), cfg.visionWidth(), cfg.bottleneck()));
        // one layer wider than the fixture's ViT: refused
        assertThrows(CheckpointException.class, () -> w.validateFor(cfg.features(), cfg.visionWidth() + 1, cfg.bottleneck()));

        // A model with one level more than the checkpoint: layers 6, 12, ... (ViT-L/14's spacing).
        int[] more = new int[w.levels() + 1];
        for (int k = 0; k < more.length; k++) {
            more[k] = 6 * (k + 1);
        }
        String list = java.util.Arrays.stream(more).mapToObj(Integer::toString)
                .collect(java.util.stream.Collectors.joining(","));
        CheckpointException levels = assertThrows(CheckpointException.class, () -> w.validateFor(more, 1024, 768));
        assertTrue(levels.getMessage().contains("adapters have " + w.levels() + " levels, the model uses " + more.length
                + " (--features " + list + ")"), levels.getMessage());
        assertTrue(levels.getMessage().contains("initial.pth"), levels.getMessage());

        FixtureConfig f = FixtureConfig.get();
        CheckpointException shapes = assertThrows(CheckpointException.class,
                () -> w.validateFor(w.levels(), 1024, 768));
        assertTrue(shapes.getMessage().contains("seg level 0 fc1 is [" + f.bottleneck() + "," + f.visionWidth()
                + "] but the model needs [768,1024]"), shapes.getMessage());
    }

    @Test
    void aClipCheckpointIsNoAdapterCheckpoint() {
        Path clip = Fixtures.fixture().resolve("clip/clip-state-dict.pt");
        CheckpointException e = assertThrows(CheckpointException.class, () -> AdapterCheckpoint.read(clip));
        assertTrue(e.getMessage().contains("not an MVFA adapter checkpoint"), e.getMessage());
    }

    @Test
    void inconsistentLevelsAreRefused() {
        AdapterWeights w = AdapterCheckpoint.read(Fixtures.fixture().resolve("adapters/initial.pth"));
        Map<String, HostTensor> det = new HashMap<>(w.det().asMap());
        det.remove((w.levels() - 1) + ".fc1.0.weight");
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> new AdapterWeights(w.seg(), new StateDict(w.det().source(), det)));
        assertTrue(e.getMessage().contains("det_adapters." + (w.levels() - 1) + ".fc1.0.weight"), e.getMessage());
    }
}
