package org.mvfaedge.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.trainer.data.BmadDataset;
import org.mvfaedge.trainer.data.FewShotSplit;
import org.mvfaedge.trainer.eval.Evaluator;
import org.mvfaedge.trainer.heads.MemoryBank;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.pipeline.MvfaSettings;
import org.mvfaedge.trainer.text.ObjectInfo;
import org.mvfaedge.trainer.text.PromptConfig;
import org.mvfaedge.trainer.weights.AdapterCheckpoint;
import org.mvfaedge.trainer.weights.HostTensor;

/**
 * Few-shot training end to end on a generated data set (blob lesions on textured backgrounds) with a
 * small random CLIP: the loss falls and both AUCs end clearly above the untrained model's; the
 * prefix cache changes nothing; a resumed run ends exactly where an uninterrupted one does.
 */
class FewShotTrainingTest {
    static final int[] FEATURES = {1, 2, 3};
    static final long SEED = 5;

    @TempDir
    static Path tmp;
    static Path clip;
    static Path data;
    static Path bpe;

    @BeforeAll
    static void generate() throws IOException {
        bpe = Fixtures.bpe();
        data = tmp.resolve("data");
        SyntheticData.write(data, "Brain", 4, 10, 2, 11);
        clip = SyntheticData.clip(tmp, 3);
    }

    static MvfaModel model() {
        return MvfaModel.load(new MvfaSettings(clip, bpe, PromptConfig.builtIn(), SyntheticData.SIZE, FEATURES, null,
                null));
    }

    record Run(FewShotTrainer.Result result, Map<String, HostTensor> weights, EpochMetrics baseline) {
    }

    static Run run(int epochs, PrefixCache cache, Path save, boolean resume, boolean baseline) {
        try (MvfaModel model = model();
                AdapterTraining training = new AdapterTraining(model, 1e-3, DetLoss.BCE_WITH_LOGITS_ON_PROBABILITY)) {
            training.loadAdapters(FreshAdapters.create(FEATURES.length, 64, 32, SEED));
            ObjectInfo object = model.promptConfig().object("Brain");
            BmadDataset ds = BmadDataset.open(data, "Brain", object.hasMasks());
            FewShotSplit split = FewShotSplit.fromSeedFile(ds, data.resolve("fewshot_seed"), 2, 0);
            ProtocolEvaluation eval = new ProtocolEvaluation(Evaluator.Protocol.FEW_SHOT, object,
                    ds.samples(BmadDataset.Split.TEST), cache, 8);
            EpochMetrics base = null;
            if (baseline) {
                List<FewShotTrainer.View> views = FewShotTrainer.views(split, object, SyntheticData.SIZE);
                List<Integer> normal = new java.util.ArrayList<>();
                for (int i = 0; i < views.size(); i++) {
                    if (views.get(i).label() == 0f) {
                        normal.add(i);
                    }
                }
                try (MemoryBank bank = FewShotTrainer.memoryBank(training, views, normal, cache)) {
                    base = eval.evaluate(training, bank);
                }
            }
            FewShotTrainer.Result r = FewShotTrainer.train(training, object, split, eval,
                    new FewShotTrainer.Options(epochs, SEED, resume, cache, new RunFiles(save, "Brain"),
                            Map.of("test", true), System.err, false));
            return new Run(r, model.adapterWeights().toTensors(), base);
        }
    }

    @Test
    void trainingLowersTheLossAndRaisesBothAucs() {
        long t0 = System.nanoTime();
        Path save = tmp.resolve("ckpt-learn");
        Run run = run(12, new PrefixCache(PrefixCache.DEFAULT_CAP_BYTES), save, false, true);
        double secs = (System.nanoTime() - t0) / 1e9;
        List<EpochRecord> h = run.result().history();
        EpochRecord first = h.get(0);
        EpochRecord last = h.get(h.size() - 1);
        EpochRecord best = run.result().best();
        System.out.printf("synthetic few-shot: untrained image AUC %.4f pixel AUC %.4f; epoch 1 loss %.4f, epoch %d loss"
                + " %.4f image AUC %.4f pixel AUC %.4f; best epoch %d image %.4f pixel %.4f; %.1f s%n",
                run.baseline().imageAuc(), run.baseline().pixelAuc(), first.meanLoss(), h.size(), last.meanLoss(),
                last.metrics().imageAuc(), last.metrics().pixelAuc(), best.epoch() + 1, best.metrics().imageAuc(),
                best.metrics().pixelAuc(), secs);
        // The reference's det loss (BCE with logits on a probability) has a floor of about 0.31 per
        // level and image, so the total falls by a margin rather than towards 0.
        assertTrue(last.meanLoss() < first.meanLoss() - 0.4, "the loss must fall");
        assertTrue(last.metrics().imageAuc() > run.baseline().imageAuc() + 0.1, "image AUC must rise clearly");
        assertTrue(last.metrics().pixelAuc() > run.baseline().pixelAuc() + 0.1, "pixel AUC must rise clearly");
        assertTrue(Files.isRegularFile(save.resolve("Brain.safetensors")));
        assertTrue(Files.isRegularFile(save.resolve("Brain.json")));
        assertTrue(Files.isRegularFile(save.resolve("Brain.png")));
        assertEquals(12, lines(save.resolve("Brain.log.jsonl")));
        // The best checkpoint is a regular adapter checkpoint.
        assertEquals(FEATURES.length, AdapterCheckpoint.read(save.resolve("Brain.safetensors")).levels());
    }

    @Test
    void theCacheChangesNothingAndResumeContinuesExactly() {
        Run cached = run(2, new PrefixCache(PrefixCache.DEFAULT_CAP_BYTES), tmp.resolve("c1"), false, false);
        Run uncached = run(2, PrefixCache.disabled(), tmp.resolve("c2"), false, false);
        assertSameWeights(cached.weights(), uncached.weights());
        for (int e = 0; e < 2; e++) {
            assertEquals(cached.result().history().get(e).meanLoss(), uncached.result().history().get(e).meanLoss(), 0.0);
            assertEquals(cached.result().history().get(e).metrics(), uncached.result().history().get(e).metrics());
        }
        Path save = tmp.resolve("c3");
        run(1, PrefixCache.disabled(), save, false, false);
        Run resumed = run(2, PrefixCache.disabled(), save, true, false);
        assertEquals(1, resumed.result().epochsRun());
        assertSameWeights(cached.weights(), resumed.weights());
        assertEquals(cached.result().history().get(1).meanLoss(), resumed.result().history().get(0).meanLoss(), 0.0);
        assertEquals(2, lines(save.resolve("Brain.log.jsonl")));
    }

    private static void assertSameWeights(Map<String, HostTensor> a, Map<String, HostTensor> b) {
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).floats(), b.get(k).floats(), k);
        }
    }

    private static int lines(Path p) {
        try {
            return (int) Files.readAllLines(p).stream().filter(s -> !s.isBlank()).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
