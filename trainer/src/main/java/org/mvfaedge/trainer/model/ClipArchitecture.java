package org.mvfaedge.trainer.model;

import org.mvfaedge.trainer.weights.CheckpointException;
import org.mvfaedge.trainer.weights.HostTensor;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * The shape of a CLIP ViT checkpoint, read from its tensors as OpenAI's {@code build_model} does:
 * widths from the weights, depth from the number of {@code resblocks}, heads = width / 64, patch
 * from {@code conv1}, native grid from the position table.
 */
public record ClipArchitecture(
        int embedDim,
        int visionWidth,
        int visionLayers,
        int visionHeads,
        int patchSize,
        int nativeGrid,
        int textWidth,
        int textLayers,
        int textHeads,
        int contextLength,
        int vocabSize) {

    /** CLIP's head width: heads = width / 64. */
    public static final int HEAD_WIDTH = 64;

    /** Reads the architecture from an OpenAI-layout state dict. */
    public static ClipArchitecture fromStateDict(StateDict sd) {
        HostTensor conv1 = sd.require("visual.conv1.weight");
        if (conv1.rank() != 4 || conv1.dim(1) != 3 || conv1.dim(2) != conv1.dim(3)) {
            throw new CheckpointException(sd.source(), "visual.conv1.weight has shape " + conv1
                    + ", expected [width, 3, patch, patch] (is this a ViT CLIP? ResNet CLIPs are not supported)");
        }
        int visionWidth = (int) conv1.dim(0);
        int patch = (int) conv1.dim(2);
        long posRows = sd.require("visual.positional_embedding").dim(0);
        int nativeGrid = (int) Math.round(Math.sqrt(posRows - 1));
        if ((long) nativeGrid * nativeGrid + 1 != posRows) {
            throw new CheckpointException(sd.source(), "visual.positional_embedding has " + posRows
                    + " rows, expected 1 + grid^2");
        }
        HostTensor proj = sd.require("visual.proj");
        int embedDim = (int) proj.dim(1);
        int textWidth = (int) sd.require("ln_final.weight").dim(0);
        int context = (int) sd.require("positional_embedding").dim(0);
        int vocab = (int) sd.require("token_embedding.weight").dim(0);
        int textEmbed = (int) sd.require("text_projection").dim(1);
        if (textEmbed != embedDim) {
            throw new CheckpointException(sd.source(), "text_projection gives embedding size " + textEmbed
                    + " but visual.proj gives " + embedDim);
        }
        return new ClipArchitecture(embedDim, visionWidth, countLayers(sd, "visual.transformer.resblocks."),
                heads(sd, visionWidth, "vision"), patch, nativeGrid, textWidth,
                countLayers(sd, "transformer.resblocks."), heads(sd, textWidth, "text"), context, vocab);
    }

    /** Patches per side when run at {@code imageSize}: {@code imageSize / patch} (remainder pixels unseen). */
    public int gridFor(int imageSize) {
        int grid = imageSize / patchSize;
        if (grid < 1) {
            throw new ModelConfigException("img_size " + imageSize + " is smaller than the patch size " + patchSize);
        }
        return grid;
    }

    private static int heads(StateDict sd, int width, String tower) {
        int heads = width / HEAD_WIDTH;
        if (heads < 1) {
            throw new CheckpointException(sd.source(), tower + " width " + width
                    + " is below CLIP's head width 64 (heads = width / 64 would be 0)");
        }
        return heads;
    }

    private static int countLayers(StateDict sd, String prefix) {
        int n = 0;
        while (sd.contains(prefix + n + ".attn.in_proj_weight")) {
            n++;
        }
        if (n == 0) {
            throw new CheckpointException(sd.source(), "no '" + prefix + "0.attn.in_proj_weight': not an "
                    + "OpenAI-layout CLIP state dict");
        }
        return n;
    }
}
