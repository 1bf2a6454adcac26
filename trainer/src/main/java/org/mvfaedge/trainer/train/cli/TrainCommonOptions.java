package org.mvfaedge.trainer.train.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mvfaedge.trainer.cli.DataOptions;
import org.mvfaedge.trainer.cli.ModelOptions;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.pipeline.MvfaSettings;
import org.mvfaedge.trainer.pipeline.PaperDefaults;
import org.mvfaedge.trainer.train.AdapterTraining;
import org.mvfaedge.trainer.train.DetLoss;
import org.mvfaedge.trainer.train.FreshAdapters;
import org.mvfaedge.trainer.train.PrefixCache;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Options shared by {@code train-few} and {@code train-zero} (MVFA's argparse names as aliases): the model
 * and data options every model command takes ({@link ModelOptions}, {@link DataOptions}), and training's own.
 */
public final class TrainCommonOptions {
    @Mixin
    ModelOptions model;

    @Mixin
    DataOptions data;

    @Option(names = {"--save-path", "--save_path"}, defaultValue = "ckpt", paramLabel = "DIR",
            description = "Checkpoint folder (default ${DEFAULT-VALUE}).")
    Path savePath;

    @Option(names = "--adapters", paramLabel = "FILE",
            description = "Start from these adapters (.pth or safetensors); default: fresh ones from --seed.")
    Path adapters;

    @Option(names = "--resume", description = "Continue from <save-path>/<mode>/<Object>.last.safetensors.")
    boolean resume;

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
        if (model.bpe == null) {
            // The losses need the text features, so training cannot do without the tokenizer.
            throw new IllegalArgumentException("training needs the text features: pass --bpe FILE "
                    + "(bpe_simple_vocab_16e6.txt.gz), or --bpe bytes for a byte-level CLIP such as the demo's");
        }
        return model.settings(adapters);
    }

    PrefixCache cache() {
        if (noPrefixCache) {
            return PrefixCache.disabled();
        }
        return new PrefixCache(prefixCacheMb == null ? PrefixCache.DEFAULT_CAP_BYTES : prefixCacheMb << 20);
    }

    /** The training on a loaded model, with fresh adapters from the seed when none were given. */
    AdapterTraining training(MvfaModel loaded, double lr) {
        AdapterTraining t = new AdapterTraining(loaded, lr, DetLoss.parse(detLoss));
        if (adapters == null) {
            t.loadAdapters(FreshAdapters.forModel(loaded, data.seed));
        }
        return t;
    }

    /** What every sidecar records about the run. */
    Map<String, Object> runInfo(String mode, double lr, int epochs, Map<String, Object> extra) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode);
        m.put("object", data.obj);
        m.put("img_size", model.imgSize());
        m.put("features", Arrays.stream(model.features()).boxed().toList());
        m.put("activation", model.activation().id());
        m.put("epochs", epochs);
        m.put("lr", lr);
        m.put("betas", java.util.List.of(PaperDefaults.ADAM_BETA1, PaperDefaults.ADAM_BETA2));
        m.put("eps", 1e-8);
        m.put("det_loss", DetLoss.parse(detLoss).cliName());
        m.put("seed", data.seed);
        m.put("data_path", data.dataPath.toAbsolutePath().normalize().toString());
        m.putAll(extra);
        Map<String, Object> sources = new LinkedHashMap<>();
        sources.put("clip", source(model.clip));
        // the byte-level tokenizer (--bpe bytes, the demo's) is built in: there is no file to hash
        sources.put("bpe", model.bpe.toString().equals(MvfaModel.BYTE_LEVEL_BPE)
                ? Map.of("builtin", MvfaModel.BYTE_LEVEL_BPE) : source(model.bpe));
        if (adapters != null) {
            sources.put("adapters", source(adapters));
        }
        if (model.prompts != null) {
            sources.put("prompts", source(model.prompts));
        }
        if (model.extraObjects != null) {
            sources.put("objects", source(model.extraObjects));
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
