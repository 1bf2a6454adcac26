package org.mvfaedge.trainer.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;

/** Configs from data files and from tensor shapes; ClipWeights refuses incomplete checkpoints. */
class ClipConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** The fixture's architecture as fixture.json states it (vision heads: README, width / 64). */
    private static ClipConfig fixtureConfig() {
        FixtureConfig f = FixtureConfig.get();
        return new ClipConfig(f.embedDim(), f.nativeImageSize(), f.visionLayers(), f.visionWidth(), f.patchSize(),
                f.visionHeads(), f.contextLength(), f.vocabSize(), f.textWidth(), f.textHeads(), f.textLayers());
    }

    @Test
    void everyFixtureEncodingYieldsTheFixtureConfig() throws IOException {
        ClipConfig expected = fixtureConfig();
        for (String f : List.of("clip-torchscript.pt", "clip-state-dict.pt", "clip.safetensors")) {
            ClipWeights w = ClipWeights.load(Fixtures.fixture().resolve("clip").resolve(f));
            assertEquals(expected, w.config(), f);
        }
        assertEquals(FixtureConfig.get().nativeGrid(), expected.grid(), "vision.image_size // patch_size");
    }

    @Test
    void namedConfigsAreTheOpenClipFiles() throws IOException {
        ClipConfig l336 = ClipConfig.named("ViT-L-14-336");
        JsonNode shared = JSON.readTree(Fixtures.shared().resolve("mvfa/model_configs/ViT-L-14-336.json").toFile());
        assertEquals(ClipConfig.fromOpenClipJson(shared, "shared ViT-L-14-336.json"), l336);
        assertEquals(16, l336.visionHeads(), "1024 / 64");
        assertEquals(24, l336.grid(), "336 / 14");
        assertEquals(l336, ClipConfig.fromOpenClipJson(l336.toOpenClipJson(), "round trip"));
        // OpenAI's ViT-B models: 768-wide vision towers with 12 heads, 512-wide text with 8.
        ClipConfig b16 = ClipConfig.named("ViT-B-16");
        assertEquals(12, b16.visionHeads());
        assertEquals(14, b16.grid());
        assertEquals(7, ClipConfig.named("ViT-B-32").grid());
        assertEquals(16, ClipConfig.named("ViT-L-14").grid());
        for (String name : ClipConfig.names()) {
            assertEquals(name.startsWith("ViT-L") ? 768 : 512, ClipConfig.named(name).embedDim(), name);
        }
    }

    @Test
    void namedLayoutsHaveOpenAisParameterCounts() {
        // Parameter counts of OpenAI's released models (logit_scale included).
        Map<String, Long> published = Map.of("ViT-B-32", 151_277_313L, "ViT-B-16", 149_620_737L,
                "ViT-L-14", 427_616_513L, "ViT-L-14-336", 427_944_193L);
        published.forEach((name, count) -> {
            long n = ClipLayout.shapes(ClipConfig.named(name)).values().stream().mapToLong(HostTensor::numel).sum();
            assertEquals(count, n, name);
        });
    }

    @Test
    void anUnknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipConfig.named("ViT-H-14"));
        assertTrue(e.getMessage().contains("ViT-B-32, ViT-B-16, ViT-L-14, ViT-L-14-336"), e.getMessage());
    }

    @Test
    void aResNetClipIsRefused() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("visual.layer1.0.conv1.weight", HostTensor.ofFloats(new long[] {64, 64, 1, 1}, new float[64 * 64]));
        t.put("visual.attnpool.positional_embedding", HostTensor.ofFloats(new long[] {50, 2048}, new float[50 * 2048]));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ClipConfig.fromStateDict(new StateDict(Path.of("RN50.pt"), t)));
        assertTrue(e.getMessage().startsWith("RN50.pt: a ResNet CLIP"), e.getMessage());
    }

    @Test
    void unrelatedTensorsAreRefused() {
        Map<String, HostTensor> t = Map.of("fc.weight", HostTensor.ofFloats(new long[] {2, 2}, new float[4]));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ClipConfig.fromStateDict(new StateDict(Path.of("random.safetensors"), t)));
        assertTrue(e.getMessage().contains("not a ViT CLIP checkpoint"), e.getMessage());
        assertTrue(e.getMessage().contains("visual.conv1.weight"), e.getMessage());
    }

    @Test
    void aCheckpointMissingTensorsNamesThemAndTheFile() throws IOException {
        StateDict full = Safetensors.read(Fixtures.fixture().resolve("clip/clip.safetensors"));
        Map<String, HostTensor> t = new LinkedHashMap<>(full.asMap());
        t.remove("visual.transformer.resblocks.1.mlp.c_fc.weight");
        t.remove("ln_final.bias");
        Path file = tmp.resolve("partial.safetensors");
        Safetensors.write(file, t, null, Safetensors.FloatFormat.F32);
        CheckpointException e = assertThrows(CheckpointException.class, () -> ClipWeights.load(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("missing 2 tensor(s): visual.transformer.resblocks.1.mlp.c_fc.weight, ln_final.bias"),
                e.getMessage());
    }

    @Test
    void aWronglyShapedTensorIsNamed() throws IOException {
        StateDict full = Safetensors.read(Fixtures.fixture().resolve("clip/clip.safetensors"));
        Map<String, HostTensor> t = new LinkedHashMap<>(full.asMap());
        long[] shape = t.get("visual.ln_post.weight").shape();
        t.put("visual.ln_post.weight", HostTensor.ofFloats(new long[] {shape[0] + 1}, new float[(int) shape[0] + 1]));
        Path file = tmp.resolve("bad.safetensors");
        Safetensors.write(file, t, null, Safetensors.FloatFormat.F32);
        CheckpointException e = assertThrows(CheckpointException.class, () -> ClipWeights.load(file));
        assertTrue(e.getMessage().contains("visual.ln_post.weight is [" + (shape[0] + 1) + "], expected [" + shape[0] + "]"),
                e.getMessage());
    }
}
