package org.mvfaedge.trainer.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.mvfaedge.trainer.model.Scalars;

/**
 * The zero-shot head of MVFA (test_zero.py / train_zero.py): each level's adapter tokens, CLS
 * dropped and L2-normalised, are compared with the prompt-ensemble text features
 * ({@code [C, 2]}, column 0 normal, column 1 abnormal) as {@code 100 * tokens @ text}.
 * <ul>
 *   <li>pixel map (seg tokens): the 2-channel logits on the G x G grid are upsampled bilinearly
 *       (align_corners) to S x S first, then soft-maxed over the two channels; the abnormal channel
 *       is the level's map;</li>
 *   <li>image score (det tokens): the mean over patches of the abnormal softmax probability.</li>
 * </ul>
 * Both are summed over levels, with no set-level normalisation. Every step is a differentiable
 * NDArray op, so training can back-propagate the focal, dice and BCE losses through it.
 */
public final class ZeroShotHead {
    /** CLIP's logit scale as the reference hard-codes it ({@code 100.0 * tokens @ text_features}). */
    public static final float LOGIT_SCALE = org.mvfaedge.trainer.pipeline.PaperDefaults.LOGIT_SCALE;
    /** Channel of the abnormal class in the text features and the probabilities. */
    public static final int ABNORMAL = 1;

    private final int imageSize;

    /** @param imageSize side S of the square maps (the run's img_size) */
    public ZeroShotHead(int imageSize) {
        if (imageSize < 1) {
            throw new HeadInputException("image size must be >= 1, got " + imageSize);
        }
        this.imageSize = imageSize;
    }

    public int imageSize() {
        return imageSize;
    }

    /**
     * One level's pixel probabilities {@code [N, 2, S, S]} (normal, abnormal) from seg tokens
     * {@code [N, 1+G*G, C]}: the input of the focal loss; channel {@link #ABNORMAL} is the level's map.
     * Attached to the tokens' manager.
     */
    public NDArray pixelProbabilities(NDArray segTokens, NDArray textFeatures) {
        int g = TokenGrid.checkBatch(segTokens, "seg tokens");
        checkText(textFeatures, segTokens);
        long n = segTokens.getShape().get(0);
        NDManager parent = segTokens.getManager();
        try (NDManager scope = parent.newSubManager()) {
            segTokens.tempAttach(scope);
            textFeatures.tempAttach(scope);
            NDArray logits = logits(segTokens, textFeatures);                 // [N, G*G, 2]
            NDArray grid = logits.transpose(0, 2, 1).reshape(n, 2, g, g);   // [N, 2, G, G]
            // Reference order: interpolate the logits, then softmax over the channel axis.
            NDArray up = BilinearUpsampler.upsample(grid, imageSize);
            NDArray probs = up.softmax(1);
            probs.attach(parent);
            return probs;
        }
    }

    /**
     * One level's image score {@code [N]} from det tokens {@code [N, 1+G*G, C]}: the mean over
     * patches of the abnormal softmax probability. Attached to the tokens' manager.
     */
    public NDArray imageScore(NDArray detTokens, NDArray textFeatures) {
        TokenGrid.checkBatch(detTokens, "det tokens");
        checkText(textFeatures, detTokens);
        NDManager parent = detTokens.getManager();
        try (NDManager scope = parent.newSubManager()) {
            detTokens.tempAttach(scope);
            textFeatures.tempAttach(scope);
            NDArray probs = logits(detTokens, textFeatures).softmax(2);       // [N, G*G, 2]
            NDArray score = probs.get(new NDIndex(":, :, {}", ABNORMAL)).mean(new int[] {1});
            score.attach(parent);
            return score;
        }
    }

    /**
     * All levels: per-level probabilities and scores plus their sums.
     *
     * @param segLevels seg tokens per level, each {@code [N, 1+G*G, C]}
     * @param detLevels det tokens per level, same shapes (may be empty when only maps are needed,
     *                  or seg empty when only scores are needed)
     * @param textFeatures {@code [C, 2]}
     */
    public ZeroShotOutput forward(List<NDArray> segLevels, List<NDArray> detLevels, NDArray textFeatures) {
        if (segLevels.isEmpty() && detLevels.isEmpty()) {
            throw new HeadInputException("zero-shot head: no adapter levels given");
        }
        List<NDArray> probs = new ArrayList<>();
        List<NDArray> scores = new ArrayList<>();
        try {
            for (NDArray seg : segLevels) {
                probs.add(pixelProbabilities(seg, textFeatures));
            }
            for (NDArray det : detLevels) {
                scores.add(imageScore(det, textFeatures));
            }
            return new ZeroShotOutput(probs, scores);
        } catch (RuntimeException e) {
            probs.forEach(NDArray::close);
            scores.forEach(NDArray::close);
            throw e;
        }
    }

    /** {@code 100 * normalise(patch tokens) @ text}: {@code [N, G*G, 2]}, in the tokens' manager. */
    private static NDArray logits(NDArray tokens, NDArray text) {
        NDArray patches = TokenGrid.patches(tokens);
        // Reference: tokens / tokens.norm(dim=-1, keepdim=True), no epsilon.
        NDArray unit = patches.div(patches.norm(new int[] {-1}, true));
        return Scalars.mul(unit.matMul(text), LOGIT_SCALE);
    }

    private static void checkText(NDArray text, NDArray tokens) {
        Shape t = text.getShape();
        long c = tokens.getShape().get(2);
        if (t.dimension() != 2 || t.get(0) != c || t.get(1) != 2) {
            throw new HeadInputException("text features must be [C, 2] (column 0 normal, 1 abnormal) with C = "
                    + c + " the adapter token width, got shape " + t);
        }
    }
}
