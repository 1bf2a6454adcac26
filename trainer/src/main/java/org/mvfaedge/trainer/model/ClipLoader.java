package org.mvfaedge.trainer.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.mvfaedge.trainer.weights.AdapterWeights;
import org.mvfaedge.trainer.weights.CheckpointException;
import org.mvfaedge.trainer.weights.ClipConfig;
import org.mvfaedge.trainer.weights.HostTensor;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * Builds the DJL blocks from an OpenAI-layout CLIP state dict (architecture read from tensor
 * shapes) and MVFA adapter state dicts, and materialises their parameters in a caller-owned
 * {@link NDManager}: close that manager to free the weights. CLIP parameters are frozen; adapter
 * parameters require gradients.
 */
public final class ClipLoader {
    private ClipLoader() {
    }

    /**
     * The MVFA image model.
     *
     * @param manager owner of the parameter arrays
     * @param clip OpenAI-layout CLIP weights
     * @param resizedPositions {@code visual.positional_embedding} already resized to
     *     {@code imageSize / patch}, {@code [1 + grid^2, width]}
     * @param imageSize the run's image side ({@code img_size})
     * @param features 1-based adapter layers, strictly increasing
     * @param activation MLP activation ({@link Activation#GELU} for MVFA)
     * @param segAdapters MVFA seg adapter state dict ({@code <level>.fc1.0.weight}, ...), or
     *     {@code null} (with {@code detAdapters}) for fresh adapters, initialised like PyTorch's
     *     {@code nn.Linear}, with bottleneck = CLIP's embedding size
     * @param detAdapters MVFA det adapter state dict, or {@code null} with {@code segAdapters}
     */
    public static MvfaVisionModel mvfaVision(NDManager manager, StateDict clip, HostTensor resizedPositions,
            int imageSize, int[] features, Activation activation, StateDict segAdapters, StateDict detAdapters) {
        ClipConfig arch = ClipConfig.fromStateDict(clip);
        VisionTransformer vit = visionBlock(arch, clip, resizedPositions, imageSize, activation);
        if ((segAdapters == null) != (detAdapters == null)) {
            throw new IllegalArgumentException("give both seg and det adapters, or neither for fresh ones");
        }
        int bottleneck = arch.embedDim();
        if (segAdapters != null) {
            bottleneck = (int) segAdapters.require("0.fc1.0.weight").dim(0);
            checkLevels(segAdapters, features.length, "seg");
            checkLevels(detAdapters, features.length, "det");
        }
        MvfaVisionModel model = new MvfaVisionModel(vit, features, bottleneck);
        if (segAdapters != null) {
            model.bindAdapters(segAdapters, detAdapters);
        }
        model.initialize(manager, DataType.FLOAT32, model.inputShape(1));
        return model;
    }

    /** The MVFA image model with adapters from an MVFA checkpoint ({@code AdapterCheckpoint.read}). */
    public static MvfaVisionModel mvfaVision(NDManager manager, StateDict clip, HostTensor resizedPositions,
            int imageSize, int[] features, Activation activation, AdapterWeights adapters) {
        return mvfaVision(manager, clip, resizedPositions, imageSize, features, activation, adapters.seg(),
                adapters.det());
    }

    /** The plain CLIP image tower (no adapters), returning the pooled embedding. */
    public static VisionTransformer vision(NDManager manager, StateDict clip, HostTensor resizedPositions,
            int imageSize, Activation activation) {
        ClipConfig arch = ClipConfig.fromStateDict(clip);
        VisionTransformer vit = visionBlock(arch, clip, resizedPositions, imageSize, activation);
        vit.initialize(manager, DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 3, vit.minImageSize(),
                vit.minImageSize()));
        return vit;
    }

    /** The CLIP text tower. */
    public static TextTransformer text(NDManager manager, StateDict clip, Activation activation) {
        ClipConfig arch = ClipConfig.fromStateDict(clip);
        TextTransformer text = new TextTransformer(arch.textWidth(), arch.textLayers(), arch.textHeads(),
                arch.contextLength(), arch.vocabSize(), arch.embedDim(), activation);
        text.bind(clip, "");
        text.initialize(manager, DataType.FLOAT32, text.inputShape(1));
        return text;
    }

    private static VisionTransformer visionBlock(ClipConfig arch, StateDict clip, HostTensor positions,
            int imageSize, Activation activation) {
        VisionTransformer vit = new VisionTransformer(arch.visionWidth(), arch.visionLayers(), arch.visionHeads(),
                arch.patchSize(), grid(arch, imageSize), arch.embedDim(), activation);
        vit.bind(clip, "visual.");
        vit.bindPositions(positions);
        return vit;
    }

    private static int grid(ClipConfig arch, int imageSize) {
        try {
            return arch.gridFor(imageSize);
        } catch (IllegalArgumentException e) {
            throw new ModelConfigException(e.getMessage());
        }
    }

    private static void checkLevels(StateDict adapters, int levels, String kind) {
        int n = 0;
        while (adapters.contains(n + ".fc1.0.weight")) {
            n++;
        }
        if (n != levels) {
            throw new CheckpointException(adapters.source(), "the " + kind + " adapters have " + n
                    + " levels but features lists " + levels + " layers: use the features the adapters were trained with");
        }
    }
}
