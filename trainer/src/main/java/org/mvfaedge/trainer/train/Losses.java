package org.mvfaedge.trainer.train;

import ai.djl.ndarray.NDArray;

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
        double lo = FOCAL_SMOOTH / (classes - 1);
        double hi = 1.0 - FOCAL_SMOOTH;
        // Two classes: one-hot of the mask is (1-m, m); clamping maps 0 -> lo and 1 -> hi.
        NDArray m = mask.toType(probs.getDataType(), false);
        NDArray oneHot1 = m.mul(hi - lo).add(lo);
        NDArray oneHot0 = m.mul(lo - hi).add(hi);
        NDArray p0 = probs.get(":, 0, :, :");
        NDArray p1 = probs.get(":, 1, :, :");
        NDArray pt = oneHot0.mul(p0).add(oneHot1.mul(p1)).add(FOCAL_SMOOTH);
        NDArray loss = pt.neg().add(1.0).pow(FOCAL_GAMMA).mul(pt.log()).neg();
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
        NDArray eff = inter.mul(2).add(DICE_SMOOTH).div(pf.sum(new int[] {1}).add(mf.sum(new int[] {1})).add(DICE_SMOOTH));
        return eff.sum().div(n).neg().add(1.0);
    }

    /**
     * Reference quirk: the image loss is {@code BCEWithLogitsLoss} applied to the mean abnormal
     * PROBABILITY (already in 0..1), i.e. the probability is passed through a sigmoid once more. Kept
     * by default for fidelity. Numerically stable form: {@code max(x,0) - x y + log(1 + exp(-|x|))}.
     */
    public static NDArray bceWithLogits(NDArray x, NDArray y) {
        NDArray yy = y.toType(x.getDataType(), false);
        NDArray loss = x.maximum(0).sub(x.mul(yy)).add(x.abs().neg().exp().add(1).log());
        return loss.mean();
    }

    /** Plain binary cross-entropy on a probability: the corrected alternative to the quirk above. */
    public static NDArray bce(NDArray p, NDArray y) {
        NDArray yy = y.toType(p.getDataType(), false);
        NDArray pc = p.clip(1e-7, 1 - 1e-7);
        return yy.mul(pc.log()).add(yy.neg().add(1).mul(pc.neg().add(1).log())).neg().mean();
    }
}
