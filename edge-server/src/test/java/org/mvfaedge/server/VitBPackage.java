package org.mvfaedge.server;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.trainer.cli.sdk.RandomPackage;
import org.mvfaedge.trainer.weights.ClipConfig;
import org.mvfaedge.sdk.testing.ManifestSchema;

/**
 * Not part of the default run: load figures on a ViT-B/16-sized package (random weights written
 * without DJL by the trainer's RandomPackage, 240 px, adapters after layers 3,6,9,12) under
 * target/vitb. Its scores mean nothing; only its cost is real.
 * {@code mvn -B -o -q -pl edge-server -am test -Dtest=VitBPackage -Dsurefire.failIfNoSpecifiedTests=false
 * [-Dmvfa.load.requests=20]}
 */
class VitBPackage {
    @Test
    void figures() throws Exception {
        // keyed by the exporter's and SDK's code: a package from an older exporter is never reused
        Path dir = Path.of("target", "vitb", "vit-b-16-240-" + TestPackages.codeKey()).toAbsolutePath();
        if (!Files.isRegularFile(dir.resolve(ModelPackage.MANIFEST))) {
            long t0 = System.nanoTime();
            Files.createDirectories(dir.getParent());
            ManifestSchema.assertValid(RandomPackage.write(ClipConfig.named("ViT-B-16"), 240, new int[] {3, 6, 9, 12}, 1, dir).dir());
            System.out.printf("vitb: package written in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        }
        LoadFigures.print(dir, Files.readAllBytes(TestPackages.image(0)), Integer.getInteger("mvfa.load.requests", 20));
    }
}
