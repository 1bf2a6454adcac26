package org.mvfaedge.trainer.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.trainer.data.BmadDataset;
import org.mvfaedge.trainer.data.FewShotSplit;
import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.pipeline.MvfaSettings;
import org.mvfaedge.trainer.text.ObjectInfo;
import org.mvfaedge.trainer.text.PromptConfig;
import org.mvfaedge.trainer.weights.AdapterCheckpoint;
import org.mvfaedge.trainer.weights.AdapterWeights;
import org.mvfaedge.trainer.weights.ClipConfig;
import org.mvfaedge.trainer.weights.ClipWeights;
import org.mvfaedge.trainer.weights.RandomClip;
import org.mvfaedge.trainer.weights.Safetensors;

/**
 * The demo's training is a function of its seed: two runs on the same data and CLIP give the same
 * adapters, weight for weight (it once drew its initial adapters from the engine's unseeded
 * generator, so every demo run reported different AUCs).
 */
class DemoTrainingTest {
    @Test
    void sameSeedSameAdapters(@TempDir Path dir) throws Exception {
        DemoData.Counts counts = new DemoData.Counts(32, 2, 2, 1, 1);
        DemoData.Written data = DemoData.generate(dir, counts, counts, 2, 3, null);
        ClipConfig config = ClipConfig.of(32, 32, 2, 64, 8, DemoPlan.CONTEXT, DemoPlan.BYTE_VOCAB, 64, 1);
        Path clipFile = dir.resolve("clip.safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("clip_config", config.toOpenClipJson().toString());
        Safetensors.write(clipFile, RandomClip.create(config, 3), meta, Safetensors.FloatFormat.F32);
        ClipWeights clip = ClipWeights.load(clipFile);
        PromptConfig prompts = DemoData.promptConfig();
        ObjectInfo brain = prompts.object(DemoData.BRAIN);
        BmadDataset ds = BmadDataset.open(data.data(), brain.name(), true);
        FewShotSplit split = FewShotSplit.fromSeedFile(ds, data.fewshotSeeds(), 2, 0);
        MvfaSettings settings = new MvfaSettings(clipFile, Path.of(MvfaModel.BYTE_LEVEL_BPE), prompts, 32,
                new int[] {1, 2}, Activation.defaultChoice(), null);

        AdapterWeights[] runs = new AdapterWeights[2];
        for (int r = 0; r < 2; r++) {
            try (MvfaModel m = MvfaModel.create(settings, clip, null)) {
                DemoTraining.Result result = DemoTraining.train(m, brain, split, ds.samples(BmadDataset.Split.VALID), 1,
                        5, dir.resolve("run" + r), null);
                assertEquals(1, result.epochs().size());
                runs[r] = AdapterCheckpoint.read(result.checkpoint());
            }
        }
        for (String branch : new String[] {AdapterWeights.SEG, AdapterWeights.DET}) {
            var a = branch.equals(AdapterWeights.SEG) ? runs[0].seg() : runs[0].det();
            var b = branch.equals(AdapterWeights.SEG) ? runs[1].seg() : runs[1].det();
            assertEquals(a.names(), b.names());
            for (String name : a.names()) {
                assertArrayEquals(a.require(name).floats(), b.require(name).floats(), 0f, branch + " " + name);
            }
        }
        assertEquals(Files.size(dir.resolve("run0/few-shot/DemoBrain.safetensors")),
                Files.size(dir.resolve("run1/few-shot/DemoBrain.safetensors")));
    }
}
