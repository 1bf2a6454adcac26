package org.mvfaedge.trainer.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mvfaedge.trainer.weights.ClipConfig;
import org.mvfaedge.trainer.weights.ClipLayout;
import org.mvfaedge.trainer.weights.HostTensor;
import org.mvfaedge.trainer.weights.RandomClip;
import org.mvfaedge.trainer.weights.Safetensors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code init-clip}: writes a randomly initialised CLIP (OpenAI's layout and initialisation) to
 * safetensors, for a named architecture or custom sizes. Useful where OpenAI's weights cannot be
 * downloaded: smoke tests, benchmarks of memory and speed at the real size, demos.
 */
@Command(name = "init-clip", mixinStandardHelpOptions = true,
        description = "Write a randomly initialised CLIP (OpenAI layout and init) to a safetensors file.")
public final class InitClipCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--arch", paramLabel = "NAME",
            description = "Named architecture: ${COMPLETION-CANDIDATES}. Or give the custom sizes instead.",
            completionCandidates = ArchNames.class)
    String arch;

    @Option(names = "--embed-dim", description = "Joint embedding size (custom architecture).")
    Integer embedDim;

    @Option(names = "--image-size", description = "Native image size, a multiple of the patch (custom).")
    Integer imageSize;

    @Option(names = "--vision-layers", description = "Vision transformer blocks (custom).")
    Integer visionLayers;

    @Option(names = "--vision-width", description = "Vision width; heads = width / 64 (custom).")
    Integer visionWidth;

    @Option(names = "--patch-size", description = "Vision patch size (custom).")
    Integer patchSize;

    @Option(names = "--text-width", description = "Text width; heads = width / 64 (custom).")
    Integer textWidth;

    @Option(names = "--text-layers", description = "Text transformer blocks (custom).")
    Integer textLayers;

    @Option(names = "--context-length", defaultValue = "77", description = "Text context length (custom; default ${DEFAULT-VALUE}).")
    int contextLength;

    @Option(names = "--vocab-size", defaultValue = "49408", description = "BPE vocabulary size (custom; default ${DEFAULT-VALUE}).")
    int vocabSize;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output .safetensors file.")
    Path out;

    @Option(names = "--precision", defaultValue = "fp16",
            description = "fp16 (OpenAI's mix: fp16 conv/linear/attention weights, fp32 norms and embeddings) or fp32.")
    String precision;

    /** Known names for the help text. */
    static final class ArchNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ClipConfig.names().iterator();
        }
    }

    @Override
    public Integer call() throws IOException {
        ClipConfig config = config();
        boolean half = switch (precision.toLowerCase()) {
            case "fp16" -> true;
            case "fp32" -> false;
            default -> throw new ParameterException(spec.commandLine(), "--precision is fp16 or fp32, not '" + precision + "'");
        };
        long start = System.nanoTime();
        Map<String, HostTensor> tensors = RandomClip.create(config, seed);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("clip_config", config.toOpenClipJson().toString());
        meta.put("init", "random (OpenAI initialisation), seed " + seed);
        if (arch != null) {
            meta.put("arch", arch);
        }
        Safetensors.write(out, tensors, meta, name -> half && ClipLayout.storedAsHalf(name)
                ? Safetensors.FloatFormat.F16 : Safetensors.FloatFormat.F32);
        long params = tensors.values().stream().filter(HostTensor::isFloating).mapToLong(HostTensor::numel).sum();
        spec.commandLine().getOut().printf("wrote %s: %s, %,d parameters, %s, %.1f MB in %.1f s%n", out,
                arch != null ? arch : "custom " + config, params, precision, Files.size(out) / 1e6,
                (System.nanoTime() - start) / 1e9);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private ClipConfig config() {
        Integer[] custom = {embedDim, imageSize, visionLayers, visionWidth, patchSize, textWidth, textLayers};
        boolean anyCustom = java.util.Arrays.stream(custom).anyMatch(v -> v != null);
        boolean allCustom = java.util.Arrays.stream(custom).allMatch(v -> v != null);
        if (arch != null && anyCustom) {
            throw new ParameterException(spec.commandLine(), "give either --arch or the custom sizes, not both");
        }
        if (arch != null) {
            try {
                return ClipConfig.named(arch);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        if (!allCustom) {
            throw new ParameterException(spec.commandLine(), "give --arch NAME (" + String.join(", ", ClipConfig.names())
                    + ") or all of --embed-dim, --image-size, --vision-layers, --vision-width, --patch-size,"
                    + " --text-width, --text-layers");
        }
        try {
            return ClipConfig.of(embedDim, imageSize, visionLayers, visionWidth, patchSize, contextLength, vocabSize,
                    textWidth, textLayers);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
