package org.mvfaedge.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.Preprocessor;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.trainer.heads.FewShotHead;
import org.mvfaedge.trainer.heads.FewShotOutput;
import org.mvfaedge.trainer.heads.MemoryBank;
import org.mvfaedge.trainer.heads.TokenBranch;
import org.mvfaedge.trainer.heads.ZeroShotHead;
import org.mvfaedge.trainer.heads.ZeroShotOutput;
import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.model.MvfaVisionOutput;
import org.mvfaedge.trainer.text.ObjectInfo;
import org.mvfaedge.trainer.text.PromptConfig;
import org.mvfaedge.trainer.text.TextFeatures;

/**
 * End to end against the reference, from the fixture's PNG files: decode, PIL resize, the DJL model
 * loaded from the TorchScript archive, prompt-ensemble text features for all six objects, the memory
 * bank built from the augmented support images, and both heads' maps and scores.
 */
class PipelineParityTest {
    private static final double TOL = 1e-4;
    private static FixtureConfig cfg;
    private static Path fx;
    private static MvfaModel model;
    private static Preprocessor pre;
    private static final ImageDecoder DECODER = new ImageDecoder();

    @BeforeAll
    static void load() {
        cfg = FixtureConfig.get();
        fx = cfg.dir();
        // The fixture's forward/ and memory/ outputs were made with the initial adapters.
        model = MvfaModel.load(settings(cfg, "adapters/initial.pth"));
        pre = new Preprocessor(cfg.imgSize());
        // The pipeline resizes to fixture.json's img_size: the reference's inputs must have that side.
        cfg.forwardImages().forEach(cfg::input);
    }

    /** The fixture's model as the reference ran it: its img_size, features and activation, these adapters. */
    static MvfaSettings settings(FixtureConfig cfg, String adapters) {
        return new MvfaSettings(cfg.file("clip/clip-torchscript.pt"), Fixtures.bpe(), PromptConfig.builtIn(),
                cfg.imgSize(), cfg.features(), Activation.parse(cfg.activation()), cfg.file(adapters));
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    private static float[] input(String png) {
        return pre.image(DECODER.decode(fx.resolve("images/" + png)));
    }

    @Test
    void textFeaturesOfAllSixObjects() {
        assertEquals(List.copyOf(cfg.objects().keySet()),
                model.promptConfig().objects().stream().map(ObjectInfo::name).toList(), "the fixture's objects");
        for (ObjectInfo o : model.promptConfig().objects()) {
            TextFeatures t = model.textFeatures(o);
            Fixtures.assertClose("text features " + o.name(), t.data(),
                    Fixtures.npy(fx.resolve("text/text_features_" + o.name() + ".npy")).floats(), TOL);
        }
    }

    static IntStream forwardImages() {
        return IntStream.range(0, FixtureConfig.get().images());
    }

    @ParameterizedTest
    @MethodSource("forwardImages")
    void zeroShotMapsFromPngFiles(int i) {
        try (NDManager sub = model.manager().newSubManager()) {
            MvfaVisionOutput out = model.forward(sub, input("img" + i + ".png"), 1, false);
            ZeroShotHead head = new ZeroShotHead(cfg.imgSize());
            for (String obj : cfg.zeroShotObjects()) {
                NDArray text = model.textFeatureArray(sub, model.promptConfig().object(obj));
                try (ZeroShotOutput z = head.forward(levels(out, true), levels(out, false), text)) {
                    Fixtures.assertClose("png img" + i + " zero " + obj + " pixel map", z.pixelMap().toFloatArray(),
                            cfg.map("forward/img" + i + "/zero_" + obj + "_pixel_map.npy"), TOL);
                    Fixtures.assertClose("png img" + i + " zero " + obj + " image score", z.imageScore().toFloatArray(),
                            Fixtures.npy(fx.resolve("forward/img" + i + "/zero_" + obj + "_image_score.npy")).floats(), TOL);
                }
            }
        }
    }

    @Test
    void memoryBankAndFewShotMapsFromPngFiles() {
        List<float[]> support = cfg.supportImages().stream().map(s -> input(s + ".png")).toList();
        try (MemoryBank bank = model.memoryBank(support, 4)) {
            assertEquals(cfg.levels(), bank.levels());
            for (int l = 0; l < cfg.levels(); l++) {
                float[] seg = bank.toFloatArray(TokenBranch.SEG, l);
                Fixtures.assertClose("memory bank seg level " + l, seg,
                        Fixtures.npy(fx.resolve("memory/seg_level" + l + ".npy")).floats(), TOL);
                Fixtures.assertClose("memory bank det level " + l, bank.toFloatArray(TokenBranch.DET, l),
                        Fixtures.npy(fx.resolve("memory/det_level" + l + ".npy")).floats(), TOL);
            }
            FewShotHead head = new FewShotHead(cfg.imgSize());
            for (int i = 0; i < cfg.images(); i++) {
                try (NDManager sub = model.manager().newSubManager()) {
                    MvfaVisionOutput out = model.forward(sub, input("img" + i + ".png"), 1, false);
                    try (FewShotOutput f = head.forward(levels(out, true), levels(out, false), bank)) {
                        String dir = "forward/img" + i + "/";
                        Fixtures.assertClose("png img" + i + " few seg map", f.segMap().toFloatArray(),
                                cfg.map(dir + "few_seg_map.npy"), TOL);
                        Fixtures.assertClose("png img" + i + " few det map", f.detMap().toFloatArray(),
                                cfg.map(dir + "few_det_map.npy"), TOL);
                        Fixtures.assertClose("png img" + i + " few det score", f.detScore().toFloatArray(),
                                Fixtures.npy(fx.resolve(dir + "few_det_score.npy")).floats(), TOL);
                    }
                }
            }
        }
    }

    @Test
    void adapterWeightsRoundTripFromTheModel() {
        var w = model.adapterWeights();
        assertEquals(cfg.levels(), w.levels());
        var ref = org.mvfaedge.trainer.weights.AdapterCheckpoint.read(fx.resolve("adapters/initial.pth"));
        for (String name : ref.seg().names()) {
            Fixtures.assertClose("adapter seg " + name, w.seg().require(name).floats(), ref.seg().require(name).floats(), 0);
        }
    }

    private static List<NDArray> levels(MvfaVisionOutput out, boolean seg) {
        List<NDArray> l = new ArrayList<>();
        for (int k = 0; k < out.levels(); k++) {
            l.add(seg ? out.segTokens(k) : out.detTokens(k));
        }
        return l;
    }
}
