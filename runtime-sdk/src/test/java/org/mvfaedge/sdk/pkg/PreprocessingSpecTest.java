package org.mvfaedge.sdk.pkg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.DetectorOptions;
import org.mvfaedge.sdk.ModelPackageException;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.PreprocessingSpec;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.sdk.testing.ManifestSchema;
import org.mvfaedge.sdk.testing.Npy;
import org.mvfaedge.sdk.testing.ToyPackages;

/** The manifest's preprocessing section drives the SDK's preprocessing, and what it does not implement is refused. */
class PreprocessingSpecTest {
    /** Each field set to a value the SDK does not implement: the package is refused, naming that field. */
    @Test
    void unsupportedPreprocessingIsRefusedNamingTheField(@TempDir Path tmp) throws Exception {
        Map<String, Object> unsupported = Map.of("resize", "bilinear", "normalize", "imagenet", "channels", "BGR",
                "layout", "NHWC", "scale", 1.0, "size", 16);
        int i = 0;
        for (Map.Entry<String, Object> e : unsupported.entrySet()) {
            Path pkg = ToyPackages.channelMean(tmp.resolve("toy" + i++), 8, 0.5).dir();
            ObjectNode root = (ObjectNode) ModelPackage.JSON.readTree(pkg.resolve(ModelPackage.MANIFEST).toFile());
            ObjectNode pre = (ObjectNode) root.get("preprocessing");
            if (e.getValue() instanceof String s) {
                pre.put(e.getKey(), s);
            } else if (e.getValue() instanceof Integer n) {
                pre.put(e.getKey(), n);
            } else {
                pre.put(e.getKey(), (Double) e.getValue());
            }
            ModelPackage.JSON.writeValue(pkg.resolve(ModelPackage.MANIFEST).toFile(), root);
            ManifestSchema.assertValid(pkg); // a valid manifest: the format allows it, this SDK does not implement it
            ModelPackageException x = assertThrows(ModelPackageException.class,
                    () -> AnomalyDetector.open(pkg, DetectorOptions.defaults()), e.getKey());
            assertTrue(x.getMessage().contains("preprocessing." + e.getKey() + " is"), x.getMessage());
            assertTrue(x.getMessage().contains(e.getValue().toString()), x.getMessage());
        }
    }

    @Test
    void aMissingFieldIsNamed(@TempDir Path tmp) throws Exception {
        Path pkg = ToyPackages.channelMean(tmp.resolve("toy"), 8, 0.5).dir();
        ObjectNode root = (ObjectNode) ModelPackage.JSON.readTree(pkg.resolve(ModelPackage.MANIFEST).toFile());
        ((ObjectNode) root.get("preprocessing")).remove("resize");
        ModelPackage.JSON.writeValue(pkg.resolve(ModelPackage.MANIFEST).toFile(), root);
        ModelPackageException x = assertThrows(ModelPackageException.class, () -> ModelPackage.open(pkg));
        assertTrue(x.getMessage().contains("preprocessing.resize is missing"), x.getMessage());
    }

    /**
     * The preprocessor built from a package's manifest prepares the fixture images exactly as the
     * reference's MedDataset did (PIL bicubic, ToTensor): bit for bit.
     */
    @Test
    void thePackagesPreprocessingEqualsTheReference(@TempDir Path tmp) throws Exception {
        FixtureConfig cfg = FixtureConfig.get();
        ModelPackage pkg = ToyPackages.channelMean(tmp.resolve("toy"), cfg.imgSize(), 0.5);
        PreprocessingSpec spec = pkg.preprocessing();
        assertEquals(PreprocessingSpec.mvfa(cfg.imgSize()), spec);
        assertEquals(pkg.manifest().preprocessing(), spec.toManifest());
        for (String name : cfg.forwardImages()) {
            Npy expected = Fixtures.npy(cfg.file("forward/" + name + "/input.npy"));
            float[] actual = spec.preprocessor().image(new ImageDecoder().decode(cfg.file("images/" + name + ".png")));
            assertArrayEquals(expected.floats(), actual, name);
        }
    }
}
