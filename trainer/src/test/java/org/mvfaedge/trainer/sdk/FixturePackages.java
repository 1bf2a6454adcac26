package org.mvfaedge.trainer.sdk;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.export.PackageExporter;
import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.pipeline.MvfaSettings;
import org.mvfaedge.trainer.text.ObjectInfo;
import org.mvfaedge.trainer.text.PromptConfig;
import org.mvfaedge.sdk.testing.ManifestSchema;

/**
 * Real model packages made by the trainer's exporter from the golden fixture (its tiny CLIP at the
 * fixture's img_size, features and activation, its initial adapters), for the SDK's acceptance tests.
 */
public final class FixturePackages implements AutoCloseable {
    private final FixtureConfig config = FixtureConfig.get();
    private final Path fx = config.dir();
    private final MvfaModel model;

    public FixturePackages() {
        MvfaSettings settings = new MvfaSettings(fx.resolve("clip/clip-torchscript.pt"), Fixtures.bpe(),
                PromptConfig.builtIn(), config.imgSize(), config.features(), Activation.parse(config.activation()),
                fx.resolve("adapters/initial.pth"));
        this.model = MvfaModel.load(settings);
    }

    public MvfaModel model() {
        return model;
    }

    /** The fixture's configuration (image size, levels, support images, forward images). */
    public FixtureConfig config() {
        return config;
    }

    public ObjectInfo brain() {
        return model.promptConfig().object("Brain");
    }

    /** A fixture image file: {@code img0}, {@code support1}, ... */
    public Path image(String name) {
        return fx.resolve("images/" + name + ".png");
    }

    public Path fixture() {
        return fx;
    }

    /** The calibration set used below: img0 anomalous, img1 normal, img2 anomalous (the fixture's masks). */
    public List<Sample> labelled() {
        return List.of(new Sample(image("img0"), 1, null), new Sample(image("img1"), 0, null),
                new Sample(image("img2"), 1, null));
    }

    /**
     * A Brain package: few-shot with a bank of {@code shots} (null: zero-shot), calibrated on
     * {@link #labelled()} when {@code calibrate}, else uncalibrated.
     */
    public Path export(Path out, List<String> shots, boolean calibrate) throws IOException {
        List<Sample> normal = shots == null ? null : shots.stream().map(s -> new Sample(image(s), 0, null)).toList();
        PackageExporter.export(new PackageExporter.Request(model, brain(), normal, shots == null ? 0 : shots.size(), 0,
                111, calibrate ? "valid" : "none", calibrate ? labelled() : List.of(), null, out,
                Map.of("clip", fx.resolve("clip/clip-torchscript.pt")), 4));
        return ManifestSchema.assertValid(out);
    }

    @Override
    public void close() {
        model.close();
    }
}
