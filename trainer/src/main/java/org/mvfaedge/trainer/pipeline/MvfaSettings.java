package org.mvfaedge.trainer.pipeline;

import java.nio.file.Path;
import java.util.Arrays;
import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.text.PromptConfig;

/**
 * What a run is made of: CLIP weights, BPE merges, prompts, image size, adapter levels, activation
 * and (optionally) adapter weights. The paper's values are in {@link PaperDefaults}.
 *
 * @param clip CLIP checkpoint (TorchScript, torch.save zip or safetensors)
 * @param bpe CLIP's BPE merges file, needed for text features ({@code null} for image-only work)
 * @param promptConfig prompt states, templates and objects
 * @param imageSize the run's image side ({@code img_size})
 * @param features 1-based layers followed by an adapter level
 * @param activation MLP activation of both towers
 * @param adapters adapter checkpoint ({@code .pth} or the project's safetensors), or {@code null}
 *     for freshly initialised adapters
 */
public record MvfaSettings(Path clip, Path bpe, PromptConfig promptConfig, int imageSize, int[] features,
        Activation activation, Path adapters) {

    public MvfaSettings {
        if (clip == null) {
            throw new IllegalArgumentException("a CLIP checkpoint is required (--clip)");
        }
        if (imageSize <= 0) {
            throw new IllegalArgumentException("img_size must be positive, got " + imageSize);
        }
        features = features.clone();
        if (promptConfig == null) {
            promptConfig = PromptConfig.builtIn();
        }
        if (activation == null) {
            activation = Activation.defaultChoice();
        }
    }

    @Override
    public int[] features() {
        return features.clone();
    }

    public MvfaSettings withAdapters(Path adapterFile) {
        return new MvfaSettings(clip, bpe, promptConfig, imageSize, features, activation, adapterFile);
    }

    @Override
    public String toString() {
        return "MvfaSettings[clip=" + clip + ", imageSize=" + imageSize + ", features=" + Arrays.toString(features)
                + ", activation=" + activation + ", adapters=" + adapters + "]";
    }
}
