package org.mvfaedge.trainer.train.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.pipeline.MvfaSettings;
import org.mvfaedge.trainer.text.PromptConfig;
import org.mvfaedge.trainer.train.AdapterTraining;
import org.mvfaedge.trainer.train.DetLoss;
import org.mvfaedge.trainer.train.FreshAdapters;
import org.mvfaedge.trainer.train.PrefixCache;
import picocli.CommandLine.Option;

/** Options shared by {@code train-few} and {@code train-zero} (MVFA's argparse names as aliases). */
public final class TrainCommonOptions {
    @Option(names = "--clip", required = true, paramLabel = "FILE",
            description = "CLIP weights: OpenAI TorchScript .pt, torch.save state dict, or safetensors.")
    Path clip;

    @Option(names = "--bpe", required = true, paramLabel = "FILE",
            description = "CLIP's BPE merges (bpe_simple_vocab_16e6.txt.gz), for the text features.")
    Path bpe;

    @Option(names = "--prompts", paramLabel = "FILE",
            description = "prompts.json (states, templates, objects); default: the built-in prompts.")
    Path prompts;

    @Option(names = "--objects", paramLabel = "FILE",
            description = "Extra objects of your own: {\"objects\": [{\"name\", \"real_name\", \"has_masks\"}]}.")
    Path extraObjects;

    @Option(names = "--obj", required = true, paramLabel = "OBJECT",
            description = "Object (Brain, Liver, Retina_RESC, Retina_OCT2017, Chest, Histopathology, ...).")
    String object;

    @Option(names = {"--data-path", "--data_path"}, defaultValue = "./data/", paramLabel = "DIR",
            description = "Folder holding <Object>_AD data sets in the BMAD layout (default ${DEFAULT-VALUE}).")
    Path dataPath;

    @Option(names = {"--img-size", "--img_size"}, defaultValue = "240", description = "Image side (default ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = {"--features", "--features_list"}, arity = "1..*", split = ",", paramLabel = "LAYER",
            defaultValue = "6,12,18,24",
            description = "1-based layers followed by adapters (default ${DEFAULT-VALUE}).")
    int[] features;

    @Option(names = {"--seed"}, defaultValue = "111",
            description = "Seed of the shuffling and of fresh adapters (default ${DEFAULT-VALUE}, the reference's).")
    long seed;

    @Option(names = {"--save-path", "--save_path"}, defaultValue = "ckpt", paramLabel = "DIR",
            description = "Checkpoint folder (default ${DEFAULT-VALUE}).")
    Path savePath;

    @Option(names = "--adapters", paramLabel = "FILE",
            description = "Start from these adapters (.pth or safetensors); default: fresh ones from --seed.")
    Path adapters;

    @Option(names = "--resume", description = "Continue from <save-path>/<mode>/<Object>.last.safetensors.")
    boolean resume;

    @Option(names = "--activation", paramLabel = "NAME",
            description = "gelu (MVFA's effective choice, default) or quick-gelu.")
    String activation;

    @Option(names = "--det-loss", defaultValue = "bce-with-logits", paramLabel = "KIND",
            description = "Image-level loss: bce-with-logits (the reference's, applied to a probability) or bce"
                    + " (default ${DEFAULT-VALUE}).")
    String detLoss;

    @Option(names = "--prefix-cache-mb", paramLabel = "MB",
            description = "Heap for cached frozen-layer outputs (default: 1024 or a quarter of the heap; 0 disables).")
    Long prefixCacheMb;

    @Option(names = "--no-prefix-cache", description = "Do not cache frozen-layer outputs across epochs.")
    boolean noPrefixCache;

    @Option(names = "--eval-batch", defaultValue = "8", description = "Images per forward pass in evaluation.")
    int evalBatch;

    @Option(names = "--json", description = "Print the result as JSON on stdout.")
    boolean json;

    MvfaSettings settings() {
        PromptConfig config = PromptConfig.loadOrBuiltIn(prompts);
        if (extraObjects != null) {
            config = config.withObjectsFrom(extraObjects);
        }
        return new MvfaSettings(clip, bpe, config, imageSize, features,
                activation == null ? null : Activation.parse(activation), adapters);
    }

    PrefixCache cache() {
        if (noPrefixCache) {
            return PrefixCache.disabled();
        }
        return new PrefixCache(prefixCacheMb == null ? PrefixCache.DEFAULT_CAP_BYTES : prefixCacheMb << 20);
    }

    /** The training on a loaded model, with fresh adapters from the seed when none were given. */
    AdapterTraining training(MvfaModel model, double lr) {
        AdapterTraining t = new AdapterTraining(model, lr, DetLoss.parse(detLoss));
        if (adapters == null) {
            t.loadAdapters(FreshAdapters.forModel(model, seed));
        }
        return t;
    }

    /** What every sidecar records about the run. */
    Map<String, Object> runInfo(String mode, double lr, int epochs, Map<String, Object> extra) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode);
        m.put("object", object);
        m.put("img_size", imageSize);
        m.put("features", Arrays.stream(features).boxed().toList());
        m.put("activation", (activation == null ? Activation.defaultChoice() : Activation.parse(activation)).id());
        m.put("epochs", epochs);
        m.put("lr", lr);
        m.put("betas", java.util.List.of(0.5, 0.999));
        m.put("eps", 1e-8);
        m.put("det_loss", DetLoss.parse(detLoss).cliName());
        m.put("seed", seed);
        m.put("data_path", dataPath.toAbsolutePath().normalize().toString());
        m.putAll(extra);
        Map<String, Object> sources = new LinkedHashMap<>();
        sources.put("clip", source(clip));
        // the byte-level tokenizer (--bpe bytes, the demo's) is built in: there is no file to hash
        sources.put("bpe", bpe.toString().equals(org.mvfaedge.trainer.pipeline.MvfaModel.BYTE_LEVEL_BPE)
                ? Map.of("builtin", org.mvfaedge.trainer.pipeline.MvfaModel.BYTE_LEVEL_BPE) : source(bpe));
        if (adapters != null) {
            sources.put("adapters", source(adapters));
        }
        if (prompts != null) {
            sources.put("prompts", source(prompts));
        }
        if (extraObjects != null) {
            sources.put("objects", source(extraObjects));
        }
        m.put("sources", sources);
        return m;
    }

    static Map<String, Object> source(Path p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", p.toAbsolutePath().normalize().toString());
        m.put("sha256", sha256(p));
        return m;
    }

    static String sha256(Path p) {
        try {
            return org.mvfaedge.sdk.pkg.Sha256.of(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }
}
