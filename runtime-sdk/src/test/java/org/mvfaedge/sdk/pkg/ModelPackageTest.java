package org.mvfaedge.sdk.pkg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.ModelPackageException;
import org.mvfaedge.sdk.testing.ManifestSchema;
import org.mvfaedge.sdk.testing.ToyPackages;

class ModelPackageTest {
    /** A hand-made manifest of ViT-L/14 at 240 px (grid 17, 290 tokens; 2 shots x 11 views x 290 = 6380 rows). */
    static Manifest manifest() {
        return new Manifest(Manifest.FORMAT, Manifest.FORMAT_VERSION, "Brain-test", "2026-11-28T00:00:00Z", "test",
                new Manifest.ObjectSpec("Brain", "Brain", true),
                new Manifest.Mode("few-shot", 2, 0, 111, List.of("a.png", "b.png"), 6380,
                        new Manifest.BankReduction("greedy-k-center", 6380, 12760, 6380, 0, 128), "fp16"),
                new Manifest.Model("model.onnx", null, null, null, 17, "fp32", 240, 14, 17, 1024, 24,
                        List.of(6, 12, 18, 24), 768, "gelu"),
                new Manifest.Preprocessing("pil-bicubic", 240, 1 / 255.0, "none", "RGB", "NCHW"),
                List.of(new Manifest.Tensor("image", "float32", List.of("N", 3, 240, 240))),
                List.of(new Manifest.Tensor("zero_map", "float32", List.of("N", 240, 240))),
                Map.of("clip", new Manifest.SourceFile("clip.pt", "00")),
                new Manifest.Calibration("none", 0, Map.of("zero_map", new Manifest.Stats(0, 4, 1, 0, 4)),
                        "0.5*norm(zero)+0.5*norm(few)", "max-of-map", 0.5, "default", null, null));
    }

    private static Path writeValid(Path tmp) throws Exception {
        Path model = tmp.resolve("src.onnx");
        ToyPackages.channelMeanGraph(model, 240, true);
        return ManifestSchema.assertValid(ModelPackage.write(tmp.resolve("pkg"), manifest(), model, null).dir());
    }

    @Test
    void writesAtomicallyAndReopens(@TempDir Path tmp) throws Exception {
        Path pkg = writeValid(tmp);
        ModelPackage p = ModelPackage.open(pkg);
        assertEquals("Brain", p.manifest().object().name());
        assertEquals(Sha256.of(pkg.resolve("model.onnx")), p.manifest().model().sha256());
        assertEquals(List.of(6, 12, 18, 24), p.manifest().model().features());
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().contains(".tmp-")), "no temporary folder left");
        }
        // Readable by a service running as another user.
        assertTrue(Files.getPosixFilePermissions(pkg.resolve("model.onnx"))
                .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ));
        // Overwriting an existing package replaces it whole.
        Path again = writeValid(tmp);
        assertEquals(pkg, again);
        assertEquals(List.of(pkg), ModelPackage.list(tmp));
    }

    @Test
    void oneChangedByteIsRefused(@TempDir Path tmp) throws Exception {
        Path pkg = writeValid(tmp);
        byte[] b = Files.readAllBytes(pkg.resolve("model.onnx"));
        b[2] ^= 1;
        Files.write(pkg.resolve("model.onnx"), b);
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> ModelPackage.open(pkg));
        assertTrue(e.getMessage().contains("model.onnx does not match the sha256"), e.getMessage());
    }

    @Test
    void missingFieldIsNamed(@TempDir Path tmp) throws Exception {
        Path pkg = writeValid(tmp);
        ObjectNode root = (ObjectNode) ModelPackage.JSON.readTree(pkg.resolve("manifest.json").toFile());
        ((ObjectNode) root.get("calibration")).remove("threshold");
        ModelPackage.JSON.writeValue(pkg.resolve("manifest.json").toFile(), root);
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> ModelPackage.open(pkg));
        assertTrue(e.getMessage().contains("lacks required field(s): calibration.threshold"), e.getMessage());
    }

    @Test
    void newerFormatIsRefused(@TempDir Path tmp) throws Exception {
        Path pkg = writeValid(tmp);
        ObjectNode root = (ObjectNode) ModelPackage.JSON.readTree(pkg.resolve("manifest.json").toFile());
        root.put("format_version", "2.0");
        ModelPackage.JSON.writeValue(pkg.resolve("manifest.json").toFile(), root);
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> ModelPackage.open(pkg));
        assertTrue(e.getMessage().contains("package format 2.0 is newer"), e.getMessage());
        // A newer minor version with fields this SDK does not know still opens.
        root.put("format_version", "1.7");
        root.put("something_new", true);
        ModelPackage.JSON.writeValue(pkg.resolve("manifest.json").toFile(), root);
        assertEquals("1.7", ModelPackage.open(pkg).manifest().formatVersion());
    }

    @Test
    void notAPackage(@TempDir Path tmp) throws Exception {
        assertThrows(ModelPackageException.class, () -> ModelPackage.open(tmp.resolve("nope")));
        Files.createDirectories(tmp.resolve("empty"));
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> ModelPackage.open(tmp.resolve("empty")));
        assertTrue(e.getMessage().contains("no manifest.json"), e.getMessage());
        Files.writeString(tmp.resolve("empty/manifest.json"), "{\"format\": \"other\"}");
        e = assertThrows(ModelPackageException.class, () -> ModelPackage.open(tmp.resolve("empty")));
        assertTrue(e.getMessage().contains("format 'other'"), e.getMessage());
        Files.writeString(tmp.resolve("empty/manifest.json"), "{not json");
        e = assertThrows(ModelPackageException.class, () -> ModelPackage.open(tmp.resolve("empty")));
        assertFalse(e.getMessage().isEmpty());
    }
}
