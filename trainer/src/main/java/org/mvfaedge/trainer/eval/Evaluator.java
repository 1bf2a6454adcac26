package org.mvfaedge.trainer.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.Preprocessor;
import org.mvfaedge.sdk.runtime.RawOutputs;
import org.mvfaedge.sdk.runtime.RawScorer;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.text.ObjectInfo;

/**
 * The paper's evaluation protocols (MVFA's test_few.py and test_zero.py), on the DJL model or on an
 * exported graph in ONNX Runtime (any {@link RawScorer}).
 *
 * <p>Few-shot, objects with pixel masks: per image, the zero-shot pixel map (seg tokens vs text
 * features) and the memory-bank map (seg tokens vs seg bank). Each kind of map is min-max normalised
 * over the whole set (reference quirk), the two are combined 0.5/0.5, the pixel AUC is taken over
 * every pixel and the image score is the combined map's maximum. Few-shot, image labels only: the
 * zero-shot det score and the det map's mean, each normalised over the set and combined 0.5/0.5.
 *
 * <p>Zero-shot: the pixel AUC (objects with masks) from the set-normalised seg maps; the image AUC
 * from the set-normalised det scores, for every object.
 *
 * <p>Scores of a whole real test set (4,000 images at 240 x 240) are held in primitive arrays.
 */
public final class Evaluator {
    /** Which of the paper's protocols. */
    public enum Protocol {
        FEW_SHOT("few-shot"), ZERO_SHOT("zero-shot");

        private final String id;

        Protocol(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    private final RawScorer scorer;
    private final int batch;
    private final ImageDecoder decoder = new ImageDecoder();

    /**
     * @param scorer the model: the DJL model ({@link DjlRawScorer}) or an exported graph on ONNX Runtime
     * @param batch images per forward pass (results do not depend on it)
     */
    public Evaluator(RawScorer scorer, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        }
        this.scorer = scorer;
        this.batch = batch;
    }

    /** test_zero.py's protocol. */
    public EvaluationResult zeroShot(ObjectInfo object, List<Sample> samples, IntConsumer progress) {
        return run(Protocol.ZERO_SHOT, object, samples, progress);
    }

    /** test_few.py's protocol; the scorer must hold a memory bank of the normal shots. */
    public EvaluationResult fewShot(ObjectInfo object, List<Sample> samples, IntConsumer progress) {
        if (!scorer.fewShot()) {
            throw new IllegalArgumentException("few-shot evaluation needs a model with a memory bank");
        }
        return run(Protocol.FEW_SHOT, object, samples, progress);
    }

    private EvaluationResult run(Protocol protocol, ObjectInfo object, List<Sample> samples, IntConsumer progress) {
        int s = scorer.imageSize();
        int pixels = s * s;
        int n = samples.size();
        boolean masks = object.hasMasks();
        boolean few = protocol == Protocol.FEW_SHOT;
        Preprocessor pre = new Preprocessor(s);
        int capacity = (int) Math.min(Integer.MAX_VALUE - 16L, (long) n * pixels);
        ScoreBuffer zeroMaps = masks ? new ScoreBuffer(capacity) : null;
        ScoreBuffer fewMaps = masks && few ? new ScoreBuffer(capacity) : null;
        float[] zeroScores = new float[n];
        float[] fewScores = new float[n];
        int[] labels = new int[n];
        List<String> names = new ArrayList<>(n);
        float[] noMask = new float[pixels];

        for (int from = 0; from < n; from += batch) {
            int b = Math.min(batch, n - from);
            float[] images = new float[b * 3 * pixels];
            float[][] maskRows = new float[b][];
            for (int i = 0; i < b; i++) {
                Sample smp = samples.get(from + i);
                pre.image(decoder.decode(smp.image()), images, i * 3 * pixels);
                labels[from + i] = smp.label();
                names.add(smp.fileName());
                if (masks) {
                    if (smp.mask() != null) {
                        float[] m = pre.mask(decoder.decodeMask(smp.mask()));
                        Preprocessor.binarizeMask(m, 0, m.length);
                        maskRows[i] = m;
                    } else {
                        // Reference: normal images get an all-zero mask.
                        maskRows[i] = noMask;
                    }
                }
            }
            RawOutputs out = scorer.score(images, b);
            System.arraycopy(out.zeroScore(), 0, zeroScores, from, b);
            if (few) {
                System.arraycopy(out.fewScore(), 0, fewScores, from, b);
            }
            if (masks) {
                for (int i = 0; i < b; i++) {
                    zeroMaps.add(out.map(out.zeroMap(), i), maskRows[i]);
                    if (few) {
                        fewMaps.add(out.map(out.fewMap(), i), maskRows[i]);
                    }
                }
            }
            if (progress != null) {
                progress.accept(from + b);
            }
        }
        if (masks && few) {
            return finishMasked(protocol, object, names, labels, zeroMaps, fewMaps, pixels);
        }
        EvaluationResult image = finishImageLevel(protocol, object, names, labels, zeroScores, few ? fewScores : null);
        if (!masks) {
            return image;
        }
        // test_zero.py on an object with masks: pixel AUC from the set-normalised seg maps, image AUC
        // from the set-normalised det scores (not from the maps' maxima, as test_few.py does).
        int total = zeroMaps.size();
        SetNormalization.minMaxInPlace(zeroMaps.scores(), total);
        double pixelAuc = RocAuc.of(zeroMaps.scores(), zeroMaps.labels(), total);
        return new EvaluationResult(image.object(), image.protocol(), image.imageAuc(), pixelAuc, image.images(),
                image.imageLabels(), image.imageScores());
    }

    private static float[] slice(float[] maps, int i, int pixels) {
        float[] out = new float[pixels];
        System.arraycopy(maps, i * pixels, out, 0, pixels);
        return out;
    }

    private static EvaluationResult finishMasked(Protocol protocol, ObjectInfo object, List<String> names, int[] labels,
            ScoreBuffer zeroMaps, ScoreBuffer fewMaps, int pixels) {
        int total = zeroMaps.size();
        float[] combined = zeroMaps.scores();
        SetNormalization.minMaxInPlace(combined, total);
        float[] few = fewMaps.scores();
        SetNormalization.minMaxInPlace(few, total);
        // In place: 0.5 * zero + 0.5 * few, float32 as numpy computes it.
        for (int i = 0; i < total; i++) {
            combined[i] = 0.5f * combined[i] + 0.5f * few[i];
        }
        int n = labels.length;
        float[] imageScores = new float[n];
        for (int i = 0; i < n; i++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int p = i * pixels, end = p + pixels; p < end; p++) {
                max = Math.max(max, combined[p]);
            }
            imageScores[i] = max;
        }
        double pixelAuc = RocAuc.of(combined, zeroMaps.labels(), total);
        double imageAuc = RocAuc.of(imageScores.clone(), toBool(labels));
        return new EvaluationResult(object.name(), protocol.id(), imageAuc, pixelAuc, names, labels, imageScores);
    }

    private static EvaluationResult finishImageLevel(Protocol protocol, ObjectInfo object, List<String> names,
            int[] labels, float[] zeroScores, float[] fewScores) {
        int n = labels.length;
        float[] scores = zeroScores.clone();
        SetNormalization.minMaxInPlace(scores, n);
        if (fewScores != null) {
            float[] few = fewScores.clone();
            SetNormalization.minMaxInPlace(few, n);
            scores = SetNormalization.combineHalf(scores, few, n);
        }
        double imageAuc = RocAuc.of(scores.clone(), toBool(labels));
        return new EvaluationResult(object.name(), protocol.id(), imageAuc, null, names, labels, scores);
    }

    private static boolean[] toBool(int[] labels) {
        boolean[] b = new boolean[labels.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = labels[i] != 0;
        }
        return b;
    }
}
