package org.mvfaedge.sdk.pkg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifest the builder assembles, against the fields written out by hand: the package format the SDK
 * reads (graph file, opset, preprocessing, input and output names and shapes in the order the exporter has
 * always listed them), the id's and time's format, sources hashed (sha256 of "abc", a published test
 * vector), and a derived manifest (enrollment) that keeps what it does not change and drops the stale hashes.
 */
class ManifestBuilderTest {
    @TempDir
    Path tmp;

    private static final Manifest.Calibration CAL = new Manifest.Calibration("valid", 3, Map.of(), "norm(zero)",
            "max-of-map", 0.5, "best-f1", null, null);

    private Manifest fewShot() throws IOException {
        Path clip = tmp.resolve("clip.pt");
        Files.writeString(clip, "abc", StandardCharsets.US_ASCII);
        Map<String, Path> sources = new LinkedHashMap<>();
        sources.put("clip", clip);
        sources.put("prompts", null); // an option not given
        return ManifestBuilder.create("test producer").idWithTime("Brain-few-shot-k2")
                .object("Brain", "Brain", true)
                .mode(new Manifest.Mode("few-shot", 2, 0, 111, List.of("a.png", "b.png"), 572))
                .mvfaGraph("fp32", 72, 14, 5, 128, 4, List.of(1, 2, 3, 4), 96, "gelu", true, true)
                .externalData(false).sources(sources).calibration(CAL).build();
    }

    @Test
    void aNewPackagesManifest() throws IOException {
        Manifest m = fewShot();
        assertEquals(Manifest.FORMAT, m.format());
        assertEquals(Manifest.FORMAT_VERSION, m.formatVersion());
        assertEquals("test producer", m.producer());
        Instant created = Instant.parse(m.created());
        assertEquals(0, created.getNano(), "to the second");
        assertTrue(m.modelId().matches("Brain-few-shot-k2-\\d{8}T\\d{6}Z"), m.modelId());
        assertEquals(new Manifest.Model("model.onnx", null, null, null, 17, "fp32", 72, 14, 5, 128, 4,
                List.of(1, 2, 3, 4), 96, "gelu"), m.model());
        assertEquals(new Manifest.Preprocessing("pil-bicubic", 72, 1 / 255.0, "none", "RGB", "NCHW"), m.preprocessing());
        assertEquals(List.of(new Manifest.Tensor("image", "float32", List.of("N", 3, 72, 72))), m.inputs());
        List<String> names = m.outputs().stream().map(Manifest.Tensor::name).toList();
        assertEquals(List.of("zero_map", "zero_score", "few_map", "few_score", "seg_tokens_0", "det_tokens_0",
                "seg_tokens_1", "det_tokens_1", "seg_tokens_2", "det_tokens_2", "seg_tokens_3", "det_tokens_3"), names);
        assertEquals(List.of("N", 72, 72), m.outputs().get(2).shape());
        assertEquals(List.of("N", 26, 96), m.outputs().get(4).shape(), "CLS + 5 x 5 tokens of width 96");
        assertEquals(Map.of("clip", new Manifest.SourceFile("clip.pt",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")), m.sources());
        assertEquals(CAL, m.calibration());
    }

    @Test
    void aZeroShotGraphWithoutTokensListsOnlyItsMapAndScore() {
        Manifest m = ManifestBuilder.create("p").id("x").object("Chest", "Chest X-ray film", false)
                .mode(new Manifest.Mode("zero-shot", 0, 0, 1, List.of(), 0))
                .mvfaGraph("fp16", 48, 16, 3, 192, 4, List.of(1, 2), 64, "gelu", false, false).externalData(true)
                .calibration(CAL).build();
        assertEquals(List.of("zero_map", "zero_score"), m.outputs().stream().map(Manifest.Tensor::name).toList());
        assertEquals("model.onnx.data", m.model().externalData());
        assertEquals(Map.of(), m.sources());
    }

    /** Enrollment's manifest: new id, time, producer, mode and calibration; the rest as it was, hashes cleared. */
    @Test
    void aDerivedManifestKeepsWhatItDoesNotChange() throws IOException {
        Manifest old = fewShot();
        Manifest.Model hashed = new Manifest.Model("model.onnx", "11", null, null, 17, "fp32", 72, 14, 5, 128, 4,
                List.of(1, 2, 3, 4), 96, "gelu");
        old = new Manifest(old.format(), old.formatVersion(), old.modelId(), old.created(), old.producer(), old.object(),
                old.mode(), hashed, old.preprocessing(), old.inputs(), old.outputs(), old.sources(), old.calibration());
        Manifest.Mode mode = new Manifest.Mode("few-shot", 3, 0, 111, List.of("a.png", "b.png", "c.png"), 858);
        Manifest.Calibration cal = new Manifest.Calibration("enrollment", 2, Map.of(), "norm(zero)", "max-of-map", 0.7,
                "best-f1", null, null);
        Manifest m = ManifestBuilder.derivedFrom(old, "enroller").idWithTime("Brain-few-shot-enrolled").mode(mode)
                .externalData(true).calibration(cal).build();
        assertEquals("enroller", m.producer());
        assertTrue(m.modelId().startsWith("Brain-few-shot-enrolled-"), m.modelId());
        assertEquals(mode, m.mode());
        assertEquals(cal, m.calibration());
        assertNull(m.model().sha256(), "the old graph's hash would be wrong for the new graph");
        assertEquals("model.onnx.data", m.model().externalData());
        assertEquals(old.object(), m.object());
        assertEquals(old.preprocessing(), m.preprocessing());
        assertEquals(old.inputs(), m.inputs());
        assertEquals(old.outputs(), m.outputs());
        assertEquals(old.sources(), m.sources());
        assertEquals(old.model().features(), m.model().features());
    }

    @Test
    void aMissingPartIsNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ManifestBuilder.create("p").id("x")
                .object("Brain", "Brain", true).mode(new Manifest.Mode("zero-shot", 0, 0, 1, List.of(), 0)).build());
        assertTrue(e.getMessage().contains("graph"), e.getMessage());
    }
}
