package org.mvfaedge.trainer.heads;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link ZeroShotHead#forward} computes for a batch: per level, the 2-channel pixel
 * probabilities {@code [N, 2, S, S]} (for the focal and dice losses) and the image score {@code [N]}
 * (for BCE); and their sums over levels, the raw per-image outputs before any set-level
 * normalisation. Owns its arrays: close it when done.
 */
public final class ZeroShotOutput implements AutoCloseable {
    private final List<NDArray> levelProbabilities;
    private final List<NDArray> levelImageScores;
    private final NDArray pixelMap;
    private final NDArray imageScore;

    ZeroShotOutput(List<NDArray> levelProbabilities, List<NDArray> levelImageScores) {
        this.levelProbabilities = List.copyOf(levelProbabilities);
        this.levelImageScores = List.copyOf(levelImageScores);
        List<NDArray> abnormal = new ArrayList<>();
        for (NDArray p : levelProbabilities) {
            abnormal.add(p.get(":, {}", ZeroShotHead.ABNORMAL));
        }
        this.pixelMap = sum(abnormal, true);
        this.imageScore = sum(levelImageScores, false);
    }

    /** Adds the arrays in level order, as the reference's running sum does; null when none. */
    private static NDArray sum(List<NDArray> parts, boolean ownsParts) {
        if (parts.isEmpty()) {
            return null;
        }
        // Starts from 0 like the reference's running sum; unlike duplicate(), which the PyTorch
        // engine detaches from the autograd graph, an add keeps the gradient path.
        NDArray total = parts.get(0).add(0f);
        for (int i = 1; i < parts.size(); i++) {
            // Out of place: the sum stays an ordinary node of the autograd graph.
            NDArray next = total.add(parts.get(i));
            total.close();
            total = next;
        }
        if (ownsParts) {
            parts.forEach(NDArray::close);
        }
        return total;
    }

    /** Per level {@code [N, 2, S, S]}: softmax over (normal, abnormal) of the upsampled logits. */
    public List<NDArray> levelProbabilities() {
        return levelProbabilities;
    }

    /** Per level {@code [N]}: mean abnormal probability over the patches of the det tokens. */
    public List<NDArray> levelImageScores() {
        return levelImageScores;
    }

    /** {@code [N, S, S]}: abnormal probability summed over levels (0..levels), or null without seg levels. */
    public NDArray pixelMap() {
        return pixelMap;
    }

    /** {@code [N]}: image score summed over levels, or null without det levels. */
    public NDArray imageScore() {
        return imageScore;
    }

    @Override
    public void close() {
        levelProbabilities.forEach(NDArray::close);
        levelImageScores.forEach(NDArray::close);
        if (pixelMap != null) {
            pixelMap.close();
        }
        if (imageScore != null) {
            imageScore.close();
        }
    }
}
