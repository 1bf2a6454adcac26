package org.mvfaedge.trainer.text;

import java.util.List;

/**
 * The paper's training and evaluation defaults, as {@code prompts.json} lists them under
 * {@code defaults}: image size, adapted layers (1-based), per-setting schedules, Adam betas,
 * batch size, the logit scale of the zero-shot head, and the weights that mix the adapters'
 * outputs back into the residual stream.
 */
public record TrainingDefaults(int imgSize, List<Integer> features, FewShot fewShot, ZeroShot zeroShot,
        double adamBeta1, double adamBeta2, int batchSize, double logitScale, AdapterMix adapterMix,
        String model) {
    public TrainingDefaults {
        features = List.copyOf(features);
    }

    /** Few-shot schedule: epochs, learning rate, shots k, which few-shot split, random seed. */
    public record FewShot(int epochs, double lr, int shot, int iterate, long seed) {
    }

    /** Zero-shot schedule: epochs, learning rate, random seed. */
    public record ZeroShot(int epochs, double lr, long seed) {
    }

    /** Weights of the residual stream and the seg/det adapters' outputs after each adapted layer. */
    public record AdapterMix(double residual, double seg, double det) {
    }
}
