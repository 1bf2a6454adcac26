package org.mvfaedge.trainer.cli;

import java.nio.file.Path;
import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.pipeline.MvfaSettings;
import org.mvfaedge.trainer.text.PromptConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Options that say which model a command runs: CLIP weights, tokenizer, prompts, extra objects, image size,
 * adapter levels, activation; one set for every command that loads a model ({@code train-*}, {@code test-*},
 * {@code export}). MVFA's argparse names are accepted as aliases.
 */
public final class ModelOptions {
    @Option(names = "--clip", required = true, paramLabel = "FILE",
            description = "CLIP weights: OpenAI's TorchScript .pt (e.g. ViT-L-14-336px.pt), a torch.save state dict, or safetensors.")
    public Path clip;

    @Option(names = "--bpe", paramLabel = "FILE|bytes",
            description = "CLIP's BPE merges (bpe_simple_vocab_16e6.txt.gz), for the text prompts; 'bytes': the built-in "
                    + "byte-level tokenizer (514 ids), for CLIPs made with that vocabulary such as the demo's.")
    public Path bpe;

    @Option(names = "--prompts", paramLabel = "FILE",
            description = "Prompt states, templates and objects (prompts.json layout); default: the built-in MVFA prompts.")
    public Path prompts;

    @Option(names = {"--objects"}, paramLabel = "FILE",
            description = "Extra objects of your own: {\"objects\": [{\"name\", \"real_name\", \"has_masks\"}]}.")
    public Path extraObjects;

    @Mixin
    public ModelShapeOptions shape;

    @Option(names = "--activation", defaultValue = "gelu", paramLabel = "gelu|quick-gelu",
            description = "MLP activation of CLIP (default: exact GELU, what MVFA effectively runs).")
    public String activation;

    /** The prompt configuration, with the user's extra objects. */
    public PromptConfig promptConfig() {
        PromptConfig config = PromptConfig.loadOrBuiltIn(prompts);
        return extraObjects == null ? config : config.withObjectsFrom(extraObjects);
    }

    /** Image side the model runs at. */
    public int imgSize() {
        return shape.imgSize;
    }

    /** 1-based layers followed by adapters. */
    public int[] features() {
        return shape.features.clone();
    }

    /** The activation the options name. */
    public Activation activation() {
        return Activation.parse(activation);
    }

    /** Settings for a model with the given adapter file (or fresh adapters when null). */
    public MvfaSettings settings(Path adapters) {
        return new MvfaSettings(clip, bpe, promptConfig(), shape.imgSize, shape.features, activation(), adapters);
    }
}
