package org.mvfaedge.trainer.export;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.mvfaedge.sdk.onnx.ExternalDataPolicy;
import org.mvfaedge.sdk.onnx.MvfaGraphNames;
import org.mvfaedge.sdk.onnx.OnnxGraph;
import org.mvfaedge.sdk.onnx.OnnxModelFiles;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.weights.AdapterWeights;
import org.mvfaedge.trainer.weights.ClipWeights;
import org.mvfaedge.trainer.weights.HostTensor;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * Writes the adapted MVFA model as one ONNX graph: image [N,3,S,S] in, raw zero-shot (and, with a
 * memory bank, few-shot) maps and scores out, optionally each level's tokens. Names are those of
 * {@link MvfaGraphNames}. The CLIP weights are OpenAI's {@code visual.*} names with the position
 * table already resized to the run's grid; everything else comes from {@link ExportOptions}.
 */
public final class OnnxModelWriter {
    /** Recorded in the model's producer_name. */
    public static final String PRODUCER = "mvfa-edge";

    private OnnxModelWriter() {
    }

    /**
     * The vision weights of a loaded CLIP as the exporter takes them: only {@code visual.*}, with the
     * position table resized to the grid of {@code imageSize} (MVFA's {@code resize_pos_embed}, CLS
     * row kept).
     */
    public static StateDict visualWeightsFor(ClipWeights clip, int imageSize) {
        int grid = clip.config().gridFor(imageSize);
        Map<String, HostTensor> visual = new LinkedHashMap<>();
        clip.tensors().asMap().forEach((name, t) -> {
            if (name.startsWith("visual.")) {
                visual.put(name, t);
            }
        });
        visual.put("visual.positional_embedding", MvfaModel.resizedPositions(clip, grid));
        return new StateDict(clip.source(), visual);
    }

    /** Builds the graph (inspect {@link OnnxGraph#opTypes()}, or turn it into a model). */
    public static OnnxGraph graph(StateDict clip, AdapterWeights adapters, ExportOptions options) {
        int s = options.imageSize();
        VisionGeometry geo = VisionGeometry.of(clip, s);
        int[] features = options.features();
        checkFeatures(features, geo.layers());
        int embed = (int) options.textFeatures().dim(0);
        adapters.validateFor(features, geo.width(), embed);
        if (options.fewShot()) {
            checkBank(options.memoryBank(), features.length, embed);
        }

        OnnxGraph g = new OnnxGraph("mvfa");
        String image = g.input(MvfaGraphNames.IMAGE, DataType.FLOAT, MvfaGraphNames.BATCH, 3, s, s);
        // [N] as a 1-D tensor, for the shapes that carry the dynamic batch (Expand, Resize sizes).
        String batch = g.op("Slice", g.op("Shape", image), g.int64s(0), g.int64s(1), g.int64s(0));
        List<VisionTowerGraph.LevelTokens> levels =
                new VisionTowerGraph(g, clip, adapters, geo, options.activation()).emit(image, batch, features);
        AnomalyHeadsGraph heads = new AnomalyHeadsGraph(g, geo, s, batch, options.textFeatures());
        heads.zeroShot(levels);
        if (options.fewShot()) {
            heads.fewShot(levels, options.memoryBank());
        }
        if (options.tokenOutputs()) {
            for (int k = 0; k < levels.size(); k++) {
                publishTokens(g, levels.get(k).seg(), MvfaGraphNames.segTokens(k), geo, embed);
                publishTokens(g, levels.get(k).det(), MvfaGraphNames.detTokens(k), geo, embed);
            }
        }
        return g;
    }

    /** The graph as a model with metadata describing how it was built. */
    public static ModelProto model(StateDict clip, AdapterWeights adapters, ExportOptions options) {
        OnnxGraph g = graph(clip, adapters, options);
        return g.toModel(PRODUCER, "1", metadata(options, g));
    }

    /**
     * Builds the model and writes it atomically to {@code modelFile}, with {@code model.onnx.data}
     * beside it when the policy calls for external data ({@link ExternalDataPolicy#automatic()} does
     * above about 1 GB of weights, as a ViT-L/14 needs).
     */
    public static void write(StateDict clip, AdapterWeights adapters, ExportOptions options, Path modelFile,
            ExternalDataPolicy policy) {
        OnnxModelFiles.write(model(clip, adapters, options), modelFile, policy);
    }

    private static Map<String, String> metadata(ExportOptions o, OnnxGraph g) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("mvfa.img_size", Integer.toString(o.imageSize()));
        m.put("mvfa.features", Arrays.stream(o.features()).mapToObj(Integer::toString).collect(Collectors.joining(",")));
        m.put("mvfa.activation", o.activation().name());
        m.put("mvfa.few_shot", Boolean.toString(o.fewShot()));
        m.put("mvfa.op_types", String.join(",", g.opTypes()));
        return m;
    }

    private static void publishTokens(OnnxGraph g, String value, String name, VisionGeometry geo, int embed) {
        g.rename(value, name);
        g.output(name, DataType.FLOAT, MvfaGraphNames.BATCH, geo.tokens(), embed);
    }

    private static void checkFeatures(int[] features, int layers) {
        for (int k = 0; k < features.length; k++) {
            if (features[k] < 1 || features[k] > layers) {
                throw new IllegalArgumentException("adapter layer " + features[k] + " (--features) is outside 1.."
                        + layers + ", the vision transformer's depth");
            }
            // The reference keeps tokens in layer order but picks adapters by position in the list: the
            // two agree (and banks pair with the right level) only for an increasing list.
            if (k > 0 && features[k] <= features[k - 1]) {
                throw new IllegalArgumentException("adapter layers (--features) must be increasing without repeats, got "
                        + Arrays.toString(features));
            }
        }
    }

    private static void checkBank(MemoryBankRows bank, int levels, int embed) {
        if (bank.levels() != levels) {
            throw new IllegalArgumentException("the memory bank has " + bank.levels() + " levels, the adapters "
                    + levels + ": build it with the same --features");
        }
        for (int k = 0; k < levels; k++) {
            if (bank.seg().get(k).dim(1) != embed || bank.det().get(k).dim(1) != embed) {
                throw new IllegalArgumentException("memory bank level " + k + " has rows of " + bank.seg().get(k).dim(1)
                        + " (seg) and " + bank.det().get(k).dim(1) + " (det) values, the adapter tokens have " + embed);
            }
        }
    }
}
