package org.mvfaedge.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.trainer.cli.sdk.RandomPackage;
import org.mvfaedge.trainer.weights.ClipConfig;
import org.mvfaedge.sdk.testing.ManifestSchema;

/**
 * A package slow enough to cancel in the middle of its graph: random weights written without DJL by the
 * trainer's RandomPackage (as {@link VitBPackage}), but a narrow ViT on many tokens - width 256, 12
 * layers, patch 8 at 384 px, so 2304 tokens - which costs more compute per image than a ViT-B/16 at 240
 * px (about 0.5 s on the 2-core test machine) with a tenth of its weights (about 40 MB), so it is written
 * in a second or two. Its scores mean nothing. Made once under target/slow-package and reused while it
 * still opens.
 */
final class SlowPackage {
    private SlowPackage() {
    }

    static synchronized Path get() {
        // keyed by the exporter's and SDK's code: a package from an older exporter is never reused
        Path dir = Path.of("target", "slow-package", "vit-w256-l12-p8-384-" + TestPackages.codeKey()).toAbsolutePath();
        if (Files.isRegularFile(dir.resolve(ModelPackage.MANIFEST))) {
            try {
                ModelPackage.open(dir);
                return dir;
            } catch (RuntimeException e) {
                TestPackages.deleteTree(dir); // written by an older SDK, or damaged: write it again
            }
        }
        try {
            long t0 = System.nanoTime();
            Files.createDirectories(dir.getParent());
            // embed 256, image 384, 12 layers of width 256, patch 8; a token text tower only (not exported)
            ClipConfig config = ClipConfig.of(256, 384, 12, 256, 8, 8, 64, 64, 1);
            ManifestSchema.assertValid(RandomPackage.write(config, 384, new int[] {3, 6, 9, 12}, 1, dir).dir());
            System.out.printf("slow package written in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
