package org.mvfaedge.trainer.export;

import java.util.Arrays;
import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.weights.HostTensor;

/**
 * What to export besides the weights.
 *
 * @param imageSize S: the graph's input is [N,3,S,S] (MVFA's {@code --img_size})
 * @param features the 1-based transformer layers followed by adapters (MVFA's {@code --features_list})
 * @param activation the residual blocks' MLP activation
 * @param textFeatures [C,2] prompt-ensemble text features, column 0 normal, column 1 abnormal
 * @param memoryBank the few-shot bank, or null for a zero-shot graph
 * @param tokenOutputs whether to expose each level's seg and det tokens (for enrollment)
 */
public record ExportOptions(int imageSize, int[] features, Activation activation, HostTensor textFeatures,
        MemoryBankRows memoryBank, boolean tokenOutputs) {
    public ExportOptions {
        features = features.clone();
        if (imageSize <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + imageSize);
        }
        if (features.length == 0) {
            throw new IllegalArgumentException("at least one adapter layer (--features) is needed");
        }
        if (textFeatures.rank() != 2 || textFeatures.dim(1) != 2) {
            throw new IllegalArgumentException("text features must be [C,2] (normal, abnormal columns), got "
                    + textFeatures);
        }
        if (activation == null) {
            throw new IllegalArgumentException("activation must be given (GELU for MVFA's adapters)");
        }
    }

    @Override
    public int[] features() {
        return features.clone();
    }

    /** Whether the graph has the few-shot outputs. */
    public boolean fewShot() {
        return memoryBank != null;
    }

    @Override
    public String toString() {
        return "ExportOptions[imageSize=" + imageSize + ", features=" + Arrays.toString(features) + ", activation="
                + activation + ", text=" + textFeatures + ", fewShot=" + fewShot() + ", tokenOutputs=" + tokenOutputs + "]";
    }
}
