package org.mvfaedge.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.pkg.Sha256;

/**
 * The real package the SDK's own tests run is what the current exporter writes: regenerated here, it has
 * the same sha256s as the committed files. With {@code -Dmvfa.regenerate=true} the committed package is
 * rewritten instead (after a deliberate change to the exporter).
 */
class SdkTestPackageTest {
    @Test
    void regeneratingGivesTheCommittedBytes(@TempDir Path tmp) throws Exception {
        Path committed = Path.of("..").resolve(SdkTestPackage.COMMITTED).toAbsolutePath().normalize();
        if (Boolean.getBoolean("mvfa.regenerate")) {
            SdkTestPackage.generate(committed);
            System.out.println("regenerated " + committed);
        }
        assertTrue(Files.isRegularFile(committed.resolve(ModelPackage.MANIFEST)), "no package at " + committed);
        Path fresh = SdkTestPackage.generate(tmp.resolve("fresh"));
        for (String f : new String[] {"model.onnx", ModelPackage.MANIFEST}) {
            String want = Sha256.of(committed.resolve(f));
            String got = Sha256.of(fresh.resolve(f));
            System.out.printf("sdk test package %s: sha256 %s (committed %s)%n", f, got, want);
            assertEquals(want, got, f + " regenerated differs from the committed one: the exporter changed; if on"
                    + " purpose, rerun with -Dmvfa.regenerate=true and commit the package");
        }
        try (var s = Files.list(fresh)) {
            assertEquals(2, s.count(), "model.onnx and manifest.json only (no external data)");
        }
        assertTrue(Files.size(fresh.resolve("model.onnx")) < 2_000_000, "small enough to commit: "
                + Files.size(fresh.resolve("model.onnx")));
    }
}
