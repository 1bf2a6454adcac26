package org.mvfaedge.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.trainer.data.BmadDataset;
import org.mvfaedge.trainer.data.FewShotSplit;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.pipeline.MvfaSettings;
import org.mvfaedge.trainer.text.ObjectInfo;
import org.mvfaedge.trainer.text.PromptConfig;
import org.mvfaedge.trainer.weights.HostTensor;

/**
 * Training steps give the same weights while another thread forces garbage collections and recycles
 * direct memory with NaN bytes. Guards against tensors that autograd saves for the backward pass
 * while their memory belongs to a collectable Java buffer (see {@code model.Scalars}): such a bug
 * shows here as NaN or different weights.
 */
class GcSafetyTest {
    @TempDir
    Path tmp;

    @Test
    void stepsAreUnaffectedByGarbageCollection() throws Exception {
        Path data = tmp.resolve("data");
        SyntheticData.write(data, "Brain", 2, 1, 1, 3);
        Path clip = SyntheticData.clip(tmp, 4);
        Map<String, HostTensor> quiet = train(data, clip, false);
        Map<String, HostTensor> stressed = train(data, clip, true);
        for (String k : quiet.keySet()) {
            for (float f : stressed.get(k).floats()) {
                assertTrue(Float.isFinite(f), k + " became non-finite under GC pressure");
            }
            assertArrayEquals(quiet.get(k).floats(), stressed.get(k).floats(), k + " differs under GC pressure");
        }
    }

    private static Map<String, HostTensor> train(Path data, Path clip, boolean stress) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Thread hammer = new Thread(() -> {
            while (!stop.get()) {
                ByteBuffer b = ByteBuffer.allocateDirect(1 << 16);
                while (b.hasRemaining()) {
                    b.put((byte) 0xFF);
                }
                System.gc();
                try {
                    Thread.sleep(3);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try (MvfaModel model = MvfaModel.load(new MvfaSettings(clip, Fixtures.bpe(), PromptConfig.builtIn(),
                SyntheticData.SIZE, new int[] {1, 2, 3}, null, null));
                AdapterTraining t = new AdapterTraining(model, 1e-3, DetLoss.BCE_WITH_LOGITS_ON_PROBABILITY)) {
            t.loadAdapters(FreshAdapters.create(3, 64, 32, 1));
            ObjectInfo object = model.promptConfig().object("Brain");
            BmadDataset ds = BmadDataset.open(data, "Brain", true);
            FewShotSplit split = FewShotSplit.fromSeedFile(ds, data.resolve("fewshot_seed"), 1, 0);
            List<FewShotTrainer.View> views = FewShotTrainer.views(split, object, SyntheticData.SIZE);
            if (stress) {
                hammer.start();
            }
            for (int i : FewShotTrainer.order(views.size(), 1, 0)) {
                FewShotTrainer.View v = views.get(i);
                t.step(t.prefix(v.image()), v.mask(), v.label(), object);
            }
            return model.adapterWeights().toTensors();
        } finally {
            stop.set(true);
            if (stress) {
                hammer.join();
            }
        }
    }
}
