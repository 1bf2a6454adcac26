package org.mvfaedge.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.mvfaedge.sdk.image.Augmentation;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.Preprocessor;
import org.mvfaedge.trainer.data.FewShotSplit;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.heads.MemoryBank;
import org.mvfaedge.trainer.model.MvfaVisionOutput;
import org.mvfaedge.trainer.text.ObjectInfo;

/**
 * train_few.py's loop: the abnormal shots (with their masks) and the normal shots (all-zero masks)
 * are each augmented to 11 views (abnormal first, then normal, view-major within a group as the
 * reference's batched {@code augment} stacks them), labelled 1 and 0, shuffled every epoch and
 * trained one at a time. After each epoch the memory bank is built from the augmented normal shots
 * with the current adapters, the evaluator runs, and the checkpoint with the best criterion (strictly
 * greater, from 0, as the reference) is kept. The state after every epoch is saved for
 * {@code --resume}.
 *
 * <p>Speed beyond the reference, same results: the views' frozen prefixes come from a
 * {@link PrefixCache}, and the memory bank reuses the normal views' prefixes.
 */
public final class FewShotTrainer {
    /** Run settings. {@code runInfo} goes into every sidecar as it is. */
    public record Options(int epochs, long seed, boolean resume, PrefixCache cache, RunFiles files,
            Map<String, Object> runInfo, PrintStream progress, boolean terminal) {
    }

    /** What a run ends with. */
    public record Result(EpochRecord best, List<EpochRecord> history, int epochsRun) {
    }

    /** One training image: an augmented view. */
    record View(String key, float[] image, float[] mask, float label) {
    }

    private FewShotTrainer() {
    }

    /** The training views of a few-shot split, in the reference's order. */
    static List<View> views(FewShotSplit split, ObjectInfo object, int size) {
        Preprocessor pre = new Preprocessor(size);
        ImageDecoder decoder = new ImageDecoder();
        List<View> out = new ArrayList<>();
        addGroup(out, "abnormal", split.abnormal(), object.hasMasks(), pre, decoder, size, 1f);
        addGroup(out, "normal", split.normal(), false, pre, decoder, size, 0f);
        return out;
    }

    private static void addGroup(List<View> out, String group, List<Sample> shots, boolean withMasks,
            Preprocessor pre, ImageDecoder decoder, int size, float label) {
        int per = 3 * size * size;
        int plane = size * size;
        List<Augmentation.Augmented> augmented = new ArrayList<>();
        for (Sample s : shots) {
            float[] image = pre.image(decoder.decode(s.image()));
            float[] mask = withMasks && s.mask() != null ? pre.mask(decoder.decodeMask(s.mask())) : null;
            augmented.add(Augmentation.augment(image, mask, 3, size, size));
        }
        for (int v = 0; v < Augmentation.COUNT; v++) {
            for (int k = 0; k < shots.size(); k++) {
                Augmentation.Augmented a = augmented.get(k);
                float[] img = java.util.Arrays.copyOfRange(a.images(), v * per, (v + 1) * per);
                float[] m = java.util.Arrays.copyOfRange(a.masks(), v * plane, (v + 1) * plane);
                out.add(new View(group + ":" + shots.get(k).image().toAbsolutePath() + "#" + v, img, m, label));
            }
        }
    }

    /** The epoch's order of the views: deterministic in (seed, epoch), so a resume needs no RNG state. */
    static List<Integer> order(int n, long seed, int epoch) {
        List<Integer> idx = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            idx.add(i);
        }
        Collections.shuffle(idx, new Random(seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + 1));
        return idx;
    }

    public static Result train(AdapterTraining training, ObjectInfo object, FewShotSplit split,
            TrainingEvaluator evaluator, Options o) {
        int size = training.model().settings().imageSize();
        List<View> views = views(split, object, size);
        List<Integer> normal = new ArrayList<>();
        for (int i = 0; i < views.size(); i++) {
            if (views.get(i).label() == 0f) {
                normal.add(i);
            }
        }
        TrainingLog log = new TrainingLog(o.files().log(), o.files().chart());
        Resumed resumed = Resumed.of(o.resume(), o.files(), training, log, saved -> {
            checkSame(saved, "object", object.name());
            checkSame(saved, "seed", Long.toString(o.seed()));
        });
        int start = resumed.start();
        double bestCriterion = resumed.bestCriterion();
        EpochRecord best = resumed.best();
        List<EpochRecord> history = new ArrayList<>();
        for (int epoch = start; epoch < o.epochs(); epoch++) {
            long t0 = System.nanoTime();
            Progress bar = new Progress(o.progress(), o.terminal(),
                    String.format("%s epoch %d/%d", object.name(), epoch + 1, o.epochs()), views.size());
            double sum = 0;
            int steps = 0;
            for (int i : order(views.size(), o.seed(), epoch)) {
                View v = views.get(i);
                float[] prefix = o.cache().get(v.key(), () -> training.prefix(v.image()));
                StepLosses l = training.step(prefix, v.mask(), v.label(), object);
                sum += l.total();
                steps++;
                bar.step(sum / steps);
            }
            double meanLoss = sum / Math.max(steps, 1);
            EpochMetrics m;
            try (MemoryBank bank = memoryBank(training, views, normal, o.cache())) {
                m = evaluator.evaluate(training, bank);
            }
            boolean isBest = m.criterion() > bestCriterion;
            EpochRecord rec = new EpochRecord(epoch, steps, meanLoss, m, (System.nanoTime() - t0) / 1e9, isBest);
            if (isBest) {
                bestCriterion = m.criterion();
                best = rec;
                o.files().writeBest(training, o.runInfo(), rec);
            }
            log.add(rec);
            history.add(rec);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("object", object.name());
            meta.put("seed", Long.toString(o.seed()));
            meta.put("epoch", Integer.toString(epoch));
            meta.put("best_criterion", Double.toString(bestCriterion));
            meta.put("best_epoch", Integer.toString(best == null ? -1 : best.epoch()));
            o.files().writeLast(training, o.runInfo(), rec, meta);
            if (o.progress() != null) {
                o.progress().printf("%s epoch %d/%d: loss %.4f image AUC %s pixel AUC %s%s (%.1fs)%n",
                        object.name(), epoch + 1, o.epochs(), meanLoss, EpochMetrics.format(m.imageAuc()),
                        EpochMetrics.format(m.pixelAuc()),
                        isBest ? " best" : "", rec.seconds());
            }
        }
        return new Result(best, history, o.epochs() - start);
    }

    /**
     * Where a {@code --resume} run picks up (shared by few- and zero-shot training): the saved adapters and
     * optimizer state loaded, the epoch after the saved one, and the best criterion and evaluation so far.
     */
    record Resumed(int start, double bestCriterion, EpochRecord best) {
        /**
         * With {@code resume} and a saved state in {@code files}: the state, once {@code check} accepted it
         * (it throws on a state of another run); else a fresh start.
         */
        static Resumed of(boolean resume, RunFiles files, AdapterTraining training, TrainingLog log,
                java.util.function.Consumer<TrainingState.Saved> check) {
            if (!resume || !java.nio.file.Files.isRegularFile(files.last())) {
                return new Resumed(0, 0, null);
            }
            TrainingState.Saved saved = TrainingState.read(files.last());
            check.accept(saved);
            training.loadAdapters(saved.adapters());
            training.loadOptimizerState(saved.optimizer());
            int start = saved.epoch() + 1;
            log.reload(start);
            EpochRecord best = null;
            for (EpochRecord r : log.records()) {
                if (r.best()) {
                    best = r;
                }
            }
            return new Resumed(start, saved.bestCriterion(), best);
        }
    }

    private static void checkSame(TrainingState.Saved saved, String key, String expected) {
        String got = saved.metadata().get(key);
        if (got != null && !got.equals(expected)) {
            throw new IllegalArgumentException("--resume: the saved state is for " + key + " " + got + ", this run has "
                    + expected + "; use the same settings or another --save-path");
        }
    }

    /** The memory bank of the augmented normal views with the current adapters (shot order as trained). */
    static MemoryBank memoryBank(AdapterTraining training, List<View> views, List<Integer> normal, PrefixCache cache) {
        MemoryBank.Builder builder = MemoryBank.builder();
        for (int i : normal) {
            View v = views.get(i);
            float[] prefix = cache.get(v.key(), () -> training.prefix(v.image()));
            try (NDManager sub = training.model().manager().newSubManager()) {
                MvfaVisionOutput out = training.forwardFromPrefix(sub, prefix, 1);
                List<NDArray> seg = out.segTokens();
                List<NDArray> det = out.detTokens();
                builder.add(seg, det);
            }
        }
        return builder.build(training.model().manager());
    }

}
