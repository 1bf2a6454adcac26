package org.mvfaedge.trainer.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.trainer.data.BmadDataset;
import org.mvfaedge.trainer.data.FewShotSplit;
import org.mvfaedge.trainer.eval.Evaluator;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.pipeline.MvfaSettings;
import org.mvfaedge.trainer.text.ObjectInfo;
import org.mvfaedge.trainer.text.PromptConfig;
import org.mvfaedge.trainer.weights.ClipConfig;
import org.mvfaedge.trainer.weights.RandomClip;
import org.mvfaedge.trainer.weights.Safetensors;

/**
 * Timing, not a test: few-shot epochs with and without the prefix cache on a ViT-B/16-wide random
 * CLIP (8 layers of width 768, patch 16) at 112 (adapters after layers 2, 4, 6, 8). Run with {@code -Dmvfa.bench=true}.
 */
@EnabledIfSystemProperty(named = "mvfa.bench", matches = "true")
class TrainingSpeedBench {
    @TempDir
    Path tmp;

    @Test
    void epochsWithAndWithoutThePrefixCache() throws Exception {
        Path data = tmp.resolve("data");
        SyntheticData.write(data, "Brain", 2, 4, 1, 1);
        ClipConfig c = ClipConfig.of(512, 112, 8, 768, 16, 77, 49408, 512, 1);
        Path clip = tmp.resolve("b16.safetensors");
        Safetensors.write(clip, RandomClip.create(c, 1), null, Safetensors.FloatFormat.F32);
        int[] features = {2, 4, 6, 8};
        for (boolean cached : new boolean[] {false, true}) {
            try (MvfaModel model = MvfaModel.load(new MvfaSettings(clip, Fixtures.bpe(), PromptConfig.builtIn(), 112,
                    features, null, null));
                    AdapterTraining t = new AdapterTraining(model, 1e-3, DetLoss.BCE_WITH_LOGITS_ON_PROBABILITY)) {
                t.loadAdapters(FreshAdapters.create(4, 768, 512, 1));
                ObjectInfo object = model.promptConfig().object("Brain");
                BmadDataset ds = BmadDataset.open(data, "Brain", true);
                FewShotSplit split = FewShotSplit.fromSeedFile(ds, data.resolve("fewshot_seed"), 1, 0);
                PrefixCache cache = cached ? new PrefixCache(PrefixCache.DEFAULT_CAP_BYTES) : PrefixCache.disabled();
                ProtocolEvaluation eval = new ProtocolEvaluation(Evaluator.Protocol.FEW_SHOT, object,
                        ds.samples(BmadDataset.Split.TEST), cache, 4);
                FewShotTrainer.Result r = FewShotTrainer.train(t, object, split, eval,
                        new FewShotTrainer.Options(3, 1, false, cache, new RunFiles(tmp.resolve("ck" + cached), "Brain"),
                                Map.of(), null, false));
                List<EpochRecord> h = r.history();
                System.out.printf("bench width-768 8-layer ViT at 112, 22 views + 8 test images, cache %s: epoch seconds %.2f %.2f %.2f"
                        + " (cache %d entries, %.1f MB)%n", cached, h.get(0).seconds(), h.get(1).seconds(),
                        h.get(2).seconds(), cache.size(), cache.bytes() / 1e6);
            }
        }
    }
}
