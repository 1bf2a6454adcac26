package org.mvfaedge.trainer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.Callable;
import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.pipeline.MvfaSettings;
import org.mvfaedge.trainer.text.ObjectInfo;
import org.mvfaedge.trainer.text.PromptConfig;
import org.mvfaedge.trainer.train.AdapterTraining;
import org.mvfaedge.trainer.train.DetLoss;
import org.mvfaedge.trainer.train.FreshAdapters;
import org.mvfaedge.trainer.weights.ClipWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench-train}: one few-shot training step (batch 1, an anomalous image with a mask: det BCE +
 * seg focal + dice over every level, Adam on the adapters), timed as train-few runs it: with the frozen
 * prefix cached across epochs (its one-off cost reported apart), and without the cache. The figure to set
 * beside {@code reference_torch.py}'s {@code train_step_s} at the same thread count.
 */
@Command(name = "bench-train", mixinStandardHelpOptions = true,
        description = "Time one few-shot training step on DJL; prints one JSON line.")
public final class BenchTrainCommand implements Callable<Integer> {
    @Option(names = "--clip", required = true, paramLabel = "FILE", description = "CLIP weights (e.g. from init-clip).")
    Path clip;

    @Option(names = "--bpe", required = true, paramLabel = "FILE", description = "BPE merges (text features for the loss).")
    Path bpe;

    @Mixin
    ModelShapeOptions shape;

    @Option(names = "--repeat", defaultValue = "3", description = "Timed steps after one warm-up (default ${DEFAULT-VALUE}).")
    int repeat;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ClipWeights weights = ClipWeights.load(clip);
        MvfaSettings settings = new MvfaSettings(clip, bpe, PromptConfig.builtIn(), shape.imgSize, shape.features, Activation.GELU, null);
        int s = shape.imgSize;
        Random r = new Random(0);
        float[] image = new float[3 * s * s];
        for (int i = 0; i < image.length; i++) {
            image[i] = r.nextFloat();
        }
        float[] mask = new float[s * s];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = r.nextFloat() > 0.9f ? 1f : 0f;
        }
        ObjectNode o = new ObjectMapper().createObjectNode();
        try (MvfaModel model = MvfaModel.create(settings, weights,
                FreshAdapters.create(shape.features.length, weights.config().visionWidth(), weights.config().embedDim(), 0));
                AdapterTraining training = new AdapterTraining(model, 1e-3, DetLoss.BCE_WITH_LOGITS_ON_PROBABILITY)) {
            ObjectInfo brain = model.promptConfig().object("Brain");
            model.textFeatures(brain);
            long t0 = System.nanoTime();
            float[] prefix = training.prefix(image);
            double prefixSeconds = (System.nanoTime() - t0) / 1e9;
            training.step(prefix, mask, 1f, brain);
            long t1 = System.nanoTime();
            for (int i = 0; i < repeat; i++) {
                training.step(prefix, mask, 1f, brain);
            }
            double cached = (System.nanoTime() - t1) / 1e9 / repeat;
            long t2 = System.nanoTime();
            for (int i = 0; i < repeat; i++) {
                training.stepImage(image, mask, 1f, brain);
            }
            double uncached = (System.nanoTime() - t2) / 1e9 / repeat;
            o.put("clip", clip.getFileName().toString());
            o.put("img_size", s);
            o.put("features", java.util.Arrays.toString(shape.features));
            o.put("cores", Runtime.getRuntime().availableProcessors());
            o.put("prefix_layers", model.vision().prefixLayers());
            o.put("prefix_s", Math.round(prefixSeconds * 1e4) / 1e4);
            o.put("train_step_s_cached_prefix", Math.round(cached * 1e4) / 1e4);
            o.put("train_step_s_no_cache", Math.round(uncached * 1e4) / 1e4);
        }
        spec.commandLine().getOut().println(o.toString());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
