package org.mvfaedge.server;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.trainer.cli.Main;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.export.PackageExporter;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.pipeline.MvfaSettings;
import org.mvfaedge.trainer.text.PromptConfig;

/**
 * Not part of the default run: makes a ViT-B/16-sized package (random CLIP weights from init-clip,
 * freshly initialised adapters, 224 px, adapters after layers 3,6,9,12, few-shot bank of the fixture's two
 * support images, no calibration) under target/vitb for load figures of a realistic size. Its scores
 * mean nothing; only its cost is real. {@code mvn ... test -Dtest=VitBPackage -Dmvfa.test.heap=-Xmx6g}.
 * Needs well over 16 GB of RAM: the export (DJL forward + ONNX Runtime check) reached 15 GB resident and
 * was killed on a 23 GB machine shared with other builds.
 */
class VitBPackage {
    @Test
    void make() throws Exception {
        Path fx = Fixtures.tinyA();
        Path dir = Path.of("target", "vitb").toAbsolutePath();
        Files.createDirectories(dir);
        Path clip = dir.resolve("clip-vit-b-16.safetensors");
        long t0 = System.nanoTime();
        if (!Files.exists(clip)) {
            StringWriter err = new StringWriter();
            var cl = Main.commandLine();
            cl.setErr(new PrintWriter(err));
            int rc = cl.execute("init-clip", "--arch", "ViT-B-16", "--seed", "1", "--out", clip.toString());
            if (rc != 0) {
                throw new AssertionError("init-clip failed: " + err);
            }
        }
        System.out.printf("vitb: CLIP weights ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        MvfaSettings settings = new MvfaSettings(clip, Fixtures.bpe(), PromptConfig.builtIn(), 224, new int[] {3, 6, 9, 12},
                null, null);
        try (MvfaModel model = MvfaModel.load(settings)) {
            List<Sample> support = List.of(new Sample(fx.resolve("images/support0.png"), 0, null),
                    new Sample(fx.resolve("images/support1.png"), 0, null));
            var r = PackageExporter.export(new PackageExporter.Request(model, model.promptConfig().object("Brain"), support,
                    2, 0, 111, "none", List.of(), null, dir.resolve("brain-vitb16-few"), Map.of("clip", clip), 2));
            System.out.printf("vitb: package %s in %.1f s (export check max difference %.2e)%n", r.pkg().dir(),
                    (System.nanoTime() - t0) / 1e9, r.maxDifference());
        }
    }
}
