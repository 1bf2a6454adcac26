package org.mvfaedge.trainer.train;

import ai.djl.ndarray.NDArray;
import org.mvfaedge.trainer.model.Scalars;

/**
 * The reference's training losses (MVFA's loss.py and train_*.py), as differentiable DJL ops.
 * Every constant below is the reference's.
 */
public final class Losses {
    /** FocalLoss(gamma=2, smooth=1e-5), alpha all ones, size_average. */
    public static final double FOCAL_GAMMA = 2.0;
    public static final double FOCAL_SMOOTH = 1e-5;
    /** BinaryDiceLoss smooth = 1. */
    public static final double DICE_SMOOTH = 1.0;

    private Losses() {
    }

    /**
     * Focal loss on softmax probabilities {@code probs} [N,2,H,W] against a 0/1 {@code mask} [N,H,W].
     * As the reference: the one-hot target is clamped to [smooth/(C-1), 1-smooth], {@code pt = sum(onehot
     * * p) + smooth}, loss = mean over pixels of {@code -(1-pt)^gamma log(pt)}.
     */
    public static NDArray focal(NDArray probs, NDArray mask) {
        long classes = probs.getShape().get(1);
        if (classes != 2) {
            throw new IllegalArgumentException("focal loss expects 2-class probabilities [N,2,H,W], got "
                    + probs.getShape());
        }
        // Scalars as float32 so that no op promotes the loss to float64.
        float lo = (float) (FOCAL_SMOOTH / (classes - 1));
        float hi = (float) (1.0 - FOCAL_SMOOTH);
        // Two classes: the one-hot of a 0/1 mask is (1-m, m); clamping maps 0 -> lo and 1 -> hi
        // (m * a + (1-m) * b is exactly a or b for m in {0, 1}).
        NDArray m = mask.toType(probs.getDataType(), false);
        NDArray notM = m.neg().add(1f);
        NDArray oneHot1 = Scalars.mul(m, hi).add(Scalars.mul(notM, lo));
        NDArray oneHot0 = Scalars.mul(m, lo).add(Scalars.mul(notM, hi));
        NDArray p0 = probs.get(":, 0, :, :");
        NDArray p1 = probs.get(":, 1, :, :");
        NDArray pt = oneHot0.mul(p0).add(oneHot1.mul(p1)).add((float) FOCAL_SMOOTH);
        NDArray loss = Scalars.pow(pt.neg().add(1f), (float) FOCAL_GAMMA).mul(pt.log()).neg();
        return loss.mean();
    }

    /**
     * Binary dice loss of the abnormal probability {@code p} [N,H,W] against {@code mask} [N,H,W]:
     * {@code 1 - mean_n (2 sum(p m) + 1) / (sum p + sum m + 1)}.
     */
    public static NDArray dice(NDArray p, NDArray mask) {
        long n = p.getShape().get(0);
        NDArray pf = p.reshape(n, -1);
        NDArray mf = mask.toType(p.getDataType(), false).reshape(n, -1);
        NDArray inter = pf.mul(mf).sum(new int[] {1});
        NDArray eff = Scalars.mul(inter, 2f).add((float) DICE_SMOOTH)
                .div(pf.sum(new int[] {1}).add(mf.sum(new int[] {1})).add((float) DICE_SMOOTH));
        return Scalars.div(eff.sum(), (float) n).neg().add(1f);
    }

    /**
     * Reference quirk: the image loss is {@code BCEWithLogitsLoss} applied to the mean abnormal
     * PROBABILITY (already in 0..1), i.e. the probability is passed through a sigmoid once more. Kept
     * by default for fidelity. Numerically stable form: {@code max(x,0) - x y + log(1 + exp(-|x|))}.
     */
    public static NDArray bceWithLogits(NDArray x, NDArray y) {
        NDArray yy = y.toType(x.getDataType(), false);
        NDArray loss = Scalars.maximum(x, 0f).sub(x.mul(yy)).add(x.abs().neg().exp().add(1f).log());
        return loss.mean();
    }

    /** Plain binary cross-entropy on a probability: the corrected alternative to the quirk above. */
    public static NDArray bce(NDArray p, NDArray y) {
        NDArray yy = y.toType(p.getDataType(), false);
        // As torch.nn.BCELoss: log terms clamped at -100.
        NDArray logP = Scalars.maximum(p.log(), -100f);
        NDArray log1mP = Scalars.maximum(p.neg().add(1f).log(), -100f);
        return yy.mul(logP).add(yy.neg().add(1f).mul(log1mP)).neg().mean();
    }
}
