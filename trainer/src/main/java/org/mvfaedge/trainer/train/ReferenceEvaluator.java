package org.mvfaedge.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.Preprocessor;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.eval.RocAuc;
import org.mvfaedge.trainer.eval.SetNormalization;
import org.mvfaedge.trainer.heads.FewShotHead;
import org.mvfaedge.trainer.heads.FewShotOutput;
import org.mvfaedge.trainer.heads.MemoryBank;
import org.mvfaedge.trainer.heads.ZeroShotHead;
import org.mvfaedge.trainer.heads.ZeroShotOutput;
import org.mvfaedge.trainer.model.MvfaVisionOutput;
import org.mvfaedge.trainer.text.ObjectInfo;

/**
 * The reference's evaluation during training, on a fixed list of images whose frozen prefixes are
 * cached across epochs (the images never change, only the adapters):
 * <ul>
 *   <li>few-shot (train_few.py's {@code test}): objects with masks: zero-shot and few-shot seg maps,
 *       each min-max normalised over the set, combined 0.5/0.5; pixel AUC over all pixels, image AUC
 *       of each image's maximum; image-level objects: zero-shot det score and few-shot det score
 *       (mean of the det map), normalised and combined, image AUC;</li>
 *   <li>zero-shot (train_zero.py's {@code test}): image AUC of the zero-shot det score; for objects
 *       with masks, pixel AUC of the zero-shot seg maps.</li>
 * </ul>
 * Masks are binarised at 0.5. The criterion is pixel + image AUC for objects with masks, image AUC
 * otherwise.
 */
public final class ReferenceEvaluator implements TrainingEvaluator {
    /** Which of the reference's test protocols. */
    public enum Protocol { FEW_SHOT, ZERO_SHOT }

    private final Protocol protocol;
    private final ObjectInfo object;
    private final List<Sample> samples;
    private final PrefixCache cache;
    private final int batch;
    private final ImageDecoder decoder = new ImageDecoder();
    private byte[] maskLabels;
    private boolean[] imageLabels;

    /**
     * @param samples the images to evaluate on, with labels and (objects with masks) mask files
     * @param cache where the images' prefixes are kept (may be {@link PrefixCache#disabled()})
     * @param batch images per forward pass
     */
    public ReferenceEvaluator(Protocol protocol, ObjectInfo object, List<Sample> samples, PrefixCache cache,
            int batch) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no images to evaluate on");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        this.protocol = protocol;
        this.object = object;
        this.samples = List.copyOf(samples);
        this.cache = cache;
        this.batch = batch;
    }

    public int images() {
        return samples.size();
    }

    @Override
    public EpochMetrics evaluate(AdapterTraining training, MemoryBank bank) {
        if (protocol == Protocol.FEW_SHOT && bank == null) {
            throw new IllegalArgumentException("the few-shot protocol needs a memory bank");
        }
        int size = training.model().settings().imageSize();
        int plane = size * size;
        int n = samples.size();
        boolean masked = object.hasMasks();
        boolean few = protocol == Protocol.FEW_SHOT;
        Preprocessor pre = new Preprocessor(size);
        loadLabels(pre, masked, plane);
        float[] zeroMaps = masked ? new float[n * plane] : null;
        float[] fewMaps = masked && few ? new float[n * plane] : null;
        float[] zeroScores = new float[n];
        float[] fewScores = few && !masked ? new float[n] : null;
        ZeroShotHead zeroHead = new ZeroShotHead(size);
        FewShotHead fewHead = new FewShotHead(size);
        int len = training.prefixLength();
        for (int from = 0; from < n; from += batch) {
            int b = Math.min(batch, n - from);
            float[] stacked = new float[b * len];
            for (int i = 0; i < b; i++) {
                Sample s = samples.get(from + i);
                float[] p = cache.get("eval:" + s.image().toAbsolutePath(),
                        () -> training.prefix(pre.image(decoder.decode(s.image()))));
                System.arraycopy(p, 0, stacked, i * len, len);
            }
            try (NDManager sub = training.model().manager().newSubManager()) {
                MvfaVisionOutput out = training.forwardFromPrefix(sub, stacked, b);
                List<NDArray> seg = new ArrayList<>();
                List<NDArray> det = new ArrayList<>();
                for (int l = 0; l < out.levels(); l++) {
                    seg.add(out.segTokens(l));
                    det.add(out.detTokens(l));
                }
                NDArray text = training.model().textFeatureArray(sub, object);
                // The zero-shot image score is always computed (zero protocol's image AUC, few
                // protocol's image-level objects); the maps only for objects with masks.
                try (ZeroShotOutput z = zeroHead.forward(masked ? seg : List.of(), det, text)) {
                    System.arraycopy(z.imageScore().toFloatArray(), 0, zeroScores, from, b);
                    if (masked) {
                        System.arraycopy(z.pixelMap().toFloatArray(), 0, zeroMaps, from * plane, b * plane);
                    }
                }
                if (few) {
                    try (FewShotOutput f = fewHead.forward(seg, det, bank)) {
                        if (masked) {
                            System.arraycopy(f.segMap().toFloatArray(), 0, fewMaps, from * plane, b * plane);
                        } else {
                            System.arraycopy(f.detScore().toFloatArray(), 0, fewScores, from, b);
                        }
                    }
                }
            }
        }
        if (few) {
            if (masked) {
                SetNormalization.minMaxInPlace(zeroMaps, zeroMaps.length);
                SetNormalization.minMaxInPlace(fewMaps, fewMaps.length);
                for (int i = 0; i < zeroMaps.length; i++) {
                    zeroMaps[i] = 0.5f * zeroMaps[i] + 0.5f * fewMaps[i];
                }
                float[] imageScores = new float[n];
                for (int i = 0; i < n; i++) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int p = i * plane, e = p + plane; p < e; p++) {
                        m = Math.max(m, zeroMaps[p]);
                    }
                    imageScores[i] = m;
                }
                double pixel = RocAuc.of(zeroMaps, maskLabels, zeroMaps.length);
                return EpochMetrics.of(RocAuc.of(imageScores, imageLabels), pixel);
            }
            SetNormalization.minMaxInPlace(zeroScores, n);
            SetNormalization.minMaxInPlace(fewScores, n);
            return EpochMetrics.of(RocAuc.of(SetNormalization.combineHalf(zeroScores, fewScores, n), imageLabels),
                    Double.NaN);
        }
        SetNormalization.minMaxInPlace(zeroScores, n);
        double image = RocAuc.of(zeroScores, imageLabels);
        if (!masked) {
            return EpochMetrics.of(image, Double.NaN);
        }
        SetNormalization.minMaxInPlace(zeroMaps, zeroMaps.length);
        return EpochMetrics.of(image, RocAuc.of(zeroMaps, maskLabels, zeroMaps.length));
    }

    private void loadLabels(Preprocessor pre, boolean masked, int plane) {
        if (imageLabels != null) {
            return;
        }
        int n = samples.size();
        boolean[] labels = new boolean[n];
        byte[] masks = masked ? new byte[n * plane] : null;
        for (int i = 0; i < n; i++) {
            Sample s = samples.get(i);
            labels[i] = s.label() == 1;
            if (masked && s.mask() != null) {
                float[] m = pre.mask(decoder.decodeMask(s.mask()));
                for (int p = 0; p < plane; p++) {
                    masks[i * plane + p] = (byte) (m[p] > 0.5f ? 1 : 0);
                }
            }
        }
        imageLabels = labels;
        maskLabels = masks;
    }
}
