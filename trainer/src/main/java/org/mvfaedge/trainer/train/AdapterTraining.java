package org.mvfaedge.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mvfaedge.sdk.image.Preprocessor;
import org.mvfaedge.trainer.heads.ZeroShotHead;
import org.mvfaedge.trainer.heads.ZeroShotOutput;
import org.mvfaedge.trainer.model.MvfaVisionModel;
import org.mvfaedge.trainer.model.MvfaVisionOutput;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.text.ObjectInfo;
import org.mvfaedge.trainer.text.TextFeatures;
import org.mvfaedge.trainer.weights.HostTensor;

/**
 * One training step of the reference (train_few.py / train_zero.py, batch 1) on an {@link MvfaModel}:
 * <ol>
 *   <li>forward from the image's frozen prefix (the layers up to the first adapter level, computed
 *       without a gradient tape: see {@link #prefix}) through the adapters;</li>
 *   <li>det loss: per level, the {@link DetLoss} of the mean abnormal probability of the det tokens
 *       against the image label, summed over levels;</li>
 *   <li>for objects with masks, seg loss: per level, focal(softmax map [1,2,S,S], mask) +
 *       dice(map[:,1], mask), the mask binarised at 0.5, summed over levels; loss = seg + det, and
 *       both Adam optimizers step;</li>
 *   <li>for image-level objects the loss is det only and only the det optimizer steps (the seg
 *       optimizer's state is untouched).</li>
 * </ol>
 * Two {@link TorchAdam} optimizers (seg adapters, det adapters) with the reference's betas (0.5,
 * 0.999) and eps 1e-8. Not thread-safe.
 */
public final class AdapterTraining implements AutoCloseable {
    private final MvfaModel model;
    private final MvfaVisionModel vision;
    private final DetLoss detLoss;
    private final ZeroShotHead head;
    private final TorchAdam seg;
    private final TorchAdam det;
    private final Map<String, float[]> textCache = new LinkedHashMap<>();

    /** The reference's optimizer settings with learning rate {@code lr}. */
    public AdapterTraining(MvfaModel model, double lr, DetLoss detLoss) {
        this(model, lr, TorchAdam.DEFAULT_BETA1, TorchAdam.DEFAULT_BETA2, TorchAdam.DEFAULT_EPS, detLoss);
    }

    public AdapterTraining(MvfaModel model, double lr, double beta1, double beta2, double eps, DetLoss detLoss) {
        this.model = model;
        this.vision = model.vision();
        this.detLoss = detLoss == null ? DetLoss.BCE_WITH_LOGITS_ON_PROBABILITY : detLoss;
        this.head = new ZeroShotHead(model.settings().imageSize());
        List<Parameter> segParams = new ArrayList<>();
        List<Parameter> detParams = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int l = 0; l < vision.levels(); l++) {
            segParams.add(vision.segAdapter(l).fc1());
            segParams.add(vision.segAdapter(l).fc2());
            detParams.add(vision.detAdapter(l).fc1());
            detParams.add(vision.detAdapter(l).fc2());
            keys.add(l + ".fc1.0.weight");
            keys.add(l + ".fc2.0.weight");
        }
        this.seg = new TorchAdam("seg_adapters", segParams, keys, lr, beta1, beta2, eps);
        this.det = new TorchAdam("det_adapters", detParams, keys, lr, beta1, beta2, eps);
    }

    public MvfaModel model() {
        return model;
    }

    public DetLoss detLoss() {
        return detLoss;
    }

    public TorchAdam segOptimizer() {
        return seg;
    }

    public TorchAdam detOptimizer() {
        return det;
    }

    /** Floats in one image's prefix output: {@code (1 + G^2) * width}. */
    public int prefixLength() {
        return model.tokens() * vision.visual().width();
    }

    /**
     * The frozen prefix of one preprocessed image ({@code [3, S, S]} CHW): the hidden state
     * {@code [1, 1 + G^2, width]} after layer {@code features[0]}, computed without a gradient tape
     * (it depends on frozen weights only), as a host array that can be cached across epochs.
     */
    public float[] prefix(float[] image) {
        int s = model.settings().imageSize();
        if (image.length != 3 * s * s) {
            throw new IllegalArgumentException("expected one image of 3 x " + s + " x " + s + ", got " + image.length
                    + " values");
        }
        try (NDManager sub = model.manager().newSubManager()) {
            NDArray in = sub.create(image, new Shape(1, 3, s, s));
            return vision.frozenPrefix(new ParameterStore(sub, false), in, false).toFloatArray();
        }
    }

    /**
     * Inference from {@code n} stacked prefixes ({@code n * prefixLength()} floats) with the current
     * adapters, no gradient tape; the outputs live in {@code target}.
     */
    public MvfaVisionOutput forwardFromPrefix(NDManager target, float[] prefixes, int n) {
        if (prefixes.length != (long) n * prefixLength()) {
            throw new IllegalArgumentException("expected " + n + " prefixes of " + prefixLength() + " values, got "
                    + prefixes.length);
        }
        NDArray hidden = target.create(prefixes, new Shape(n, model.tokens(), vision.visual().width()));
        return new MvfaVisionOutput(vision.continueFromPrefix(new ParameterStore(target, false), hidden, false),
                vision.levels());
    }

    /** A step from a preprocessed image (its prefix computed now). */
    public StepLosses stepImage(float[] image, float[] mask, float label, ObjectInfo object) {
        return step(prefix(image), mask, label, object);
    }

    /**
     * One step from an image's {@link #prefix}.
     *
     * @param prefix the image's frozen prefix ({@link #prefixLength()} floats)
     * @param mask the image's mask ({@code S * S} values, binarised here at 0.5; null means all zero);
     *     used only when the object has masks
     * @param label 1 for an anomalous image, 0 for a normal one
     * @param object whose text features the tokens are compared with, and whether it has masks
     */
    public StepLosses step(float[] prefix, float[] mask, float label, ObjectInfo object) {
        if (prefix.length != prefixLength()) {
            throw new IllegalArgumentException("prefix has " + prefix.length + " values, expected " + prefixLength());
        }
        int s = model.settings().imageSize();
        boolean masked = object.hasMasks();
        float[] bin = null;
        if (masked) {
            if (mask != null && mask.length != s * s) {
                throw new IllegalArgumentException("mask has " + mask.length + " values, expected " + s + " x " + s);
            }
            bin = mask == null ? new float[s * s] : mask.clone();
            Preprocessor.binarizeMask(bin, 0, bin.length);
        }
        float[] text = textCache.computeIfAbsent(object.name(), k -> {
            TextFeatures t = model.textFeatures(object);
            return t.data().clone();
        });
        int levels = vision.levels();
        seg.zeroGrad();
        det.zeroGrad();
        double detSum;
        double focalSum = Double.NaN;
        double diceSum = Double.NaN;
        double segValue = Double.NaN;
        double total;
        try (NDManager sub = model.manager().newSubManager()) {
            NDArray hidden = sub.create(prefix, new Shape(1, model.tokens(), vision.visual().width()));
            NDArray textArray = sub.create(text, new Shape(text.length / 2, 2));
            NDArray labelArray = sub.create(new float[] {label}, new Shape(1));
            NDArray maskArray = masked ? sub.create(bin, new Shape(1, s, s)) : null;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                ParameterStore ps = new ParameterStore(sub, false);
                MvfaVisionOutput out = new MvfaVisionOutput(vision.continueFromPrefix(ps, hidden, true), levels);
                List<NDArray> segTokens = new ArrayList<>();
                List<NDArray> detTokens = new ArrayList<>();
                for (int l = 0; l < levels; l++) {
                    if (masked) {
                        segTokens.add(out.segTokens(l));
                    }
                    detTokens.add(out.detTokens(l));
                }
                ZeroShotOutput z = head.forward(segTokens, detTokens, textArray);
                // Running sums from 0 in level order, as the reference's loops.
                NDArray detLossArray = null;
                detSum = 0;
                for (NDArray score : z.levelImageScores()) {
                    NDArray l = detLoss.apply(score, labelArray);
                    detSum += l.getFloat();
                    detLossArray = detLossArray == null ? l : detLossArray.add(l);
                }
                NDArray loss;
                if (masked) {
                    NDArray segLoss = null;
                    focalSum = 0;
                    diceSum = 0;
                    for (NDArray probs : z.levelProbabilities()) {
                        NDArray f = Losses.focal(probs, maskArray);
                        NDArray d = Losses.dice(probs.get(":, {}", ZeroShotHead.ABNORMAL), maskArray);
                        focalSum += f.getFloat();
                        diceSum += d.getFloat();
                        segLoss = segLoss == null ? f : segLoss.add(f);
                        segLoss = segLoss.add(d);
                    }
                    segValue = segLoss.getFloat();
                    loss = segLoss.add(detLossArray);
                } else {
                    loss = detLossArray;
                }
                total = loss.getFloat();
                if (!Double.isFinite(total)) {
                    throw new IllegalStateException("training loss is " + total + " (det " + detSum + ", seg "
                            + segValue + ")" + diagnosis(prefix) + ": the adapters diverged; lower --lr");
                }
                collector.backward(loss);
            }
        }
        if (masked) {
            seg.step();
        }
        det.step();
        return new StepLosses(detSum, focalSum, diceSum, segValue, total);
    }

    private String diagnosis(float[] prefix) {
        int bad = 0;
        for (float f : prefix) {
            bad += Float.isFinite(f) ? 0 : 1;
        }
        StringBuilder sb = new StringBuilder();
        if (bad > 0) {
            sb.append("; ").append(bad).append(" non-finite values in the frozen prefix");
        }
        for (Map.Entry<String, HostTensor> e : model.adapterWeights().toTensors().entrySet()) {
            for (float f : e.getValue().floats()) {
                if (!Float.isFinite(f)) {
                    sb.append("; non-finite weights in ").append(e.getKey());
                    break;
                }
            }
        }
        return sb.toString();
    }

    /** Both optimizers' states (for resuming), keyed {@code seg_adapters.<key>.exp_avg} etc. */
    public Map<String, HostTensor> optimizerState() {
        Map<String, HostTensor> out = new LinkedHashMap<>(seg.state());
        out.putAll(det.state());
        return out;
    }

    /** Restores {@link #optimizerState()}. */
    public void loadOptimizerState(Map<String, HostTensor> state) {
        seg.load(state);
        det.load(state);
    }

    /** Overwrites the adapter weights with host tensors (MVFA checkpoint names per branch). */
    public void loadAdapters(org.mvfaedge.trainer.weights.AdapterWeights weights) {
        weights.validateFor(vision.features(), vision.visual().width(), vision.bottleneck());
        for (int l = 0; l < vision.levels(); l++) {
            set(vision.segAdapter(l).fc1(), weights.fc1("seg", l));
            set(vision.segAdapter(l).fc2(), weights.fc2("seg", l));
            set(vision.detAdapter(l).fc1(), weights.fc1("det", l));
            set(vision.detAdapter(l).fc2(), weights.fc2("det", l));
        }
    }

    private static void set(Parameter p, HostTensor t) {
        NDArray w = p.getArray();
        try (NDManager scope = w.getManager().newSubManager()) {
            NDArray v = scope.create(t.floats(), w.getShape());
            w.subi(w).addi(v);
        }
    }

    @Override
    public void close() {
        seg.close();
        det.close();
    }
}
