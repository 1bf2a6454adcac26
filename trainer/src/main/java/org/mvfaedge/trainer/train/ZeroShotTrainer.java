package org.mvfaedge.trainer.train;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.Preprocessor;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.text.ObjectInfo;

/**
 * train_zero.py's loop (batch 1): leave-one-object-out. The adapters train on the other objects'
 * images ({@link ZeroShotTrainingSet}), each compared with its own object's text features (objects
 * with masks: seg + det losses and both optimizers; image-level objects: det loss and the det
 * optimizer), in an order shuffled every epoch (a uniform permutation, as the reference's shuffles
 * give; not the same permutation: theirs come from Python's and PyTorch's generators). The held-out object's test split is evaluated with the zero-shot protocol five times
 * per epoch, before steps {@code 0, n/5, 2n/5, ...} as the reference does, and the checkpoint is
 * replaced whenever the criterion is at least the best so far (the reference's {@code >=}).
 */
public final class ZeroShotTrainer {
    /** One training image and the object it belongs to. */
    public record Item(ObjectInfo object, Sample sample) {
    }

    /**
     * Run settings (see {@link FewShotTrainer.Options}). {@code checkpointMeta} goes into the metadata
     * of both checkpoints (best and last) and must match the saved state's on {@code --resume}: it
     * names the training data (splits, objects), so a run cannot continue on other data unnoticed.
     */
    public record Options(int epochs, long seed, boolean resume, PrefixCache cache, RunFiles files,
            Map<String, Object> runInfo, Map<String, String> checkpointMeta, PrintStream progress, boolean terminal,
            int evaluationsPerEpoch) {
        public Options {
            checkpointMeta = Map.copyOf(checkpointMeta);
        }
    }

    private ZeroShotTrainer() {
    }

    public static FewShotTrainer.Result train(AdapterTraining training, ObjectInfo heldOut, List<Item> items,
            TrainingEvaluator evaluator, Options o) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("no training images: zero-shot training needs other objects' data sets");
        }
        int size = training.model().settings().imageSize();
        Preprocessor pre = new Preprocessor(size);
        ImageDecoder decoder = new ImageDecoder();
        TrainingLog log = new TrainingLog(o.files().log(), o.files().chart());
        FewShotTrainer.Resumed resumed = FewShotTrainer.Resumed.of(o.resume(), o.files(), training, log, saved -> {
            String obj = saved.metadata().get("object");
            if (obj != null && !obj.equals(heldOut.name())) {
                throw new IllegalArgumentException("--resume: the saved state is for object " + obj);
            }
            for (Map.Entry<String, String> e : o.checkpointMeta().entrySet()) {
                String was = saved.metadata().get(e.getKey());
                if (was != null && !was.equals(e.getValue())) {
                    throw new IllegalArgumentException("--resume: the saved state was trained with " + e.getKey() + " "
                            + was + ", this run has " + e.getValue() + "; use the same options or another --save-path");
                }
            }
        });
        int start = resumed.start();
        double bestCriterion = resumed.bestCriterion();
        EpochRecord best = resumed.best();
        int n = items.size();
        int interval = Math.max(1, n / Math.max(1, o.evaluationsPerEpoch()));
        List<EpochRecord> history = new ArrayList<>();
        for (int epoch = start; epoch < o.epochs(); epoch++) {
            long t0 = System.nanoTime();
            List<Integer> order = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                order.add(i);
            }
            Collections.shuffle(order, new Random(o.seed() * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + 2));
            Progress bar = new Progress(o.progress(), o.terminal(),
                    String.format("zero-shot %s epoch %d/%d", heldOut.name(), epoch + 1, o.epochs()), n);
            double sum = 0;
            int steps = 0;
            EpochRecord last = null;
            for (int idx = 0; idx < n; idx++) {
                if (idx % interval == 0) {
                    EpochMetrics m = evaluator.evaluate(training, null);
                    boolean isBest = m.criterion() >= bestCriterion;
                    last = new EpochRecord(epoch, idx, steps == 0 ? Double.NaN : sum / steps, m,
                            (System.nanoTime() - t0) / 1e9, isBest);
                    if (isBest) {
                        bestCriterion = m.criterion();
                        best = last;
                        o.files().writeBest(training, o.runInfo(), last, o.checkpointMeta());
                    }
                    log.add(last);
                    history.add(last);
                    if (o.progress() != null) {
                        o.progress().printf("zero-shot %s epoch %d step %d/%d: image AUC %s pixel AUC %s%s%n",
                                heldOut.name(), epoch + 1, idx, n, EpochMetrics.format(m.imageAuc()),
                                EpochMetrics.format(m.pixelAuc()), isBest ? " best" : "");
                    }
                }
                Item it = items.get(order.get(idx));
                Sample s = it.sample();
                float[] prefix = o.cache().get("train:" + s.image().toAbsolutePath(),
                        () -> training.prefix(pre.image(decoder.decode(s.image()))));
                float[] mask = null;
                if (it.object().hasMasks() && s.mask() != null) {
                    mask = pre.mask(decoder.decodeMask(s.mask()));
                }
                StepLosses l = training.step(prefix, mask, s.label(), it.object());
                sum += l.total();
                steps++;
                bar.step(sum / steps);
            }
            Map<String, String> meta = new LinkedHashMap<>(o.checkpointMeta());
            meta.put("object", heldOut.name());
            meta.put("seed", Long.toString(o.seed()));
            meta.put("epoch", Integer.toString(epoch));
            meta.put("best_criterion", Double.toString(bestCriterion));
            meta.put("best_epoch", Integer.toString(best == null ? -1 : best.epoch()));
            EpochRecord end = new EpochRecord(epoch, n, sum / Math.max(1, steps),
                    last == null ? EpochMetrics.of(Double.NaN, Double.NaN) : last.metrics(),
                    (System.nanoTime() - t0) / 1e9, false);
            o.files().writeLast(training, o.runInfo(), end, meta);
            if (o.progress() != null) {
                o.progress().printf("zero-shot %s epoch %d/%d: mean loss %.4f (%.1fs)%n", heldOut.name(), epoch + 1,
                        o.epochs(), end.meanLoss(), end.seconds());
            }
        }
        return new FewShotTrainer.Result(best, history, o.epochs() - start);
    }
}
