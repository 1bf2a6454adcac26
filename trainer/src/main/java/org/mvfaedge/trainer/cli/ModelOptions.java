package org.mvfaedge.trainer.cli;

import java.nio.file.Path;
import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.pipeline.MvfaSettings;
import org.mvfaedge.trainer.text.PromptConfig;
import picocli.CommandLine.Option;

/**
 * Options that say which model a command runs: CLIP weights, tokenizer, prompts, image size, adapter
 * levels, activation. MVFA's argparse names are accepted as aliases.
 */
public final class ModelOptions {
    @Option(names = "--clip", required = true, paramLabel = "FILE",
            description = "CLIP weights: OpenAI's TorchScript .pt (e.g. ViT-L-14-336px.pt), a torch.save state dict, or safetensors.")
    public Path clip;

    @Option(names = "--bpe", paramLabel = "FILE",
            description = "CLIP's BPE merges (bpe_simple_vocab_16e6.txt.gz), for the text prompts.")
    public Path bpe;

    @Option(names = "--prompts", paramLabel = "FILE",
            description = "Prompt states, templates and objects (prompts.json layout); default: the built-in MVFA prompts.")
    public Path prompts;

    @Option(names = {"--objects"}, paramLabel = "FILE",
            description = "Extra objects of your own: {\"objects\": [{\"name\", \"real_name\", \"has_masks\"}]}.")
    public Path extraObjects;

    @Option(names = {"--img-size", "--img_size"}, defaultValue = "240", paramLabel = "S",
            description = "Image side the model runs at (default: ${DEFAULT-VALUE}, the paper's).")
    public int imgSize;

    @Option(names = {"--features", "--features_list"}, split = ",", paramLabel = "K",
            defaultValue = "6,12,18,24", description = "1-based layers followed by adapters (default: ${DEFAULT-VALUE}).")
    public int[] features;

    @Option(names = "--activation", defaultValue = "gelu", paramLabel = "gelu|quick-gelu",
            description = "MLP activation of CLIP (default: exact GELU, what MVFA effectively runs).")
    public String activation;

    /** The prompt configuration, with the user's extra objects. */
    public PromptConfig promptConfig() {
        PromptConfig config = PromptConfig.loadOrBuiltIn(prompts);
        return extraObjects == null ? config : config.withObjectsFrom(extraObjects);
    }

    /** Settings for a model with the given adapter file (or fresh adapters when null). */
    public MvfaSettings settings(Path adapters) {
        return new MvfaSettings(clip, bpe, promptConfig(), imgSize, features, Activation.parse(activation), adapters);
    }
}
