package org.mvfaedge.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.Preprocessor;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.heads.FewShotHead;
import org.mvfaedge.trainer.heads.FewShotOutput;
import org.mvfaedge.trainer.heads.MemoryBank;
import org.mvfaedge.trainer.heads.ZeroShotHead;
import org.mvfaedge.trainer.heads.ZeroShotOutput;
import org.mvfaedge.trainer.model.MvfaVisionOutput;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.text.ObjectInfo;

/**
 * The paper's evaluation protocols (MVFA's test_few.py and test_zero.py) on the DJL model.
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

    private final MvfaModel model;
    private final int batch;
    private final ImageDecoder decoder = new ImageDecoder();

    /**
     * @param model the model (adapters loaded)
     * @param batch images per forward pass (results do not depend on it)
     */
    public Evaluator(MvfaModel model, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        }
        this.model = model;
        this.batch = batch;
    }

    /** test_zero.py's protocol. */
    public EvaluationResult zeroShot(ObjectInfo object, List<Sample> samples, IntConsumer progress) {
        return run(Protocol.ZERO_SHOT, object, samples, null, progress);
    }

    /** test_few.py's protocol with a memory bank of the normal shots. */
    public EvaluationResult fewShot(ObjectInfo object, List<Sample> samples, MemoryBank bank, IntConsumer progress) {
        if (bank == null) {
            throw new IllegalArgumentException("few-shot evaluation needs a memory bank");
        }
        return run(Protocol.FEW_SHOT, object, samples, bank, progress);
    }

    private EvaluationResult run(Protocol protocol, ObjectInfo object, List<Sample> samples, MemoryBank bank,
            IntConsumer progress) {
        int s = model.settings().imageSize();
        int pixels = s * s;
        int n = samples.size();
        boolean masks = object.hasMasks();
        boolean few = protocol == Protocol.FEW_SHOT;
        Preprocessor pre = new Preprocessor(s);
        ZeroShotHead zeroHead = new ZeroShotHead(s);
        FewShotHead fewHead = new FewShotHead(s);
        ScoreBuffer zeroMaps = masks ? new ScoreBuffer((int) Math.min(Integer.MAX_VALUE - 16L, (long) n * pixels)) : null;
        ScoreBuffer fewMaps = masks && few ? new ScoreBuffer((int) Math.min(Integer.MAX_VALUE - 16L, (long) n * pixels)) : null;
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
            try (NDManager sub = model.manager().newSubManager()) {
                MvfaVisionOutput out = model.forward(sub, images, b, false);
                List<NDArray> seg = new ArrayList<>();
                List<NDArray> det = new ArrayList<>();
                for (int l = 0; l < out.levels(); l++) {
                    seg.add(out.segTokens(l));
                    det.add(out.detTokens(l));
                }
                NDArray text = model.textFeatureArray(sub, object);
                try (ZeroShotOutput z = zeroHead.forward(masks ? seg : List.of(), det, text)) {
                    if (masks) {
                        float[] maps = z.pixelMap().toFloatArray();
                        for (int i = 0; i < b; i++) {
                            zeroMaps.add(slice(maps, i, pixels), maskRows[i]);
                        }
                    }
                    System.arraycopy(z.imageScore().toFloatArray(), 0, zeroScores, from, b);
                }
                if (few) {
                    try (FewShotOutput f = fewHead.forward(seg, det, bank)) {
                        if (masks) {
                            float[] maps = f.segMap().toFloatArray();
                            for (int i = 0; i < b; i++) {
                                fewMaps.add(slice(maps, i, pixels), maskRows[i]);
                            }
                        } else {
                            System.arraycopy(f.detScore().toFloatArray(), 0, fewScores, from, b);
                        }
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
