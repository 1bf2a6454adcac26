package org.mvfaedge.trainer.export;

import java.util.Arrays;
import org.mvfaedge.trainer.weights.CheckpointException;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * The shape of CLIP's vision transformer, read from its weights as OpenAI's {@code build_model} does,
 * and the token grid at the run's image size.
 *
 * @param width transformer width w
 * @param layers number of residual blocks
 * @param heads attention heads, w / 64 as in OpenAI's CLIP
 * @param patch patch size (conv kernel and stride)
 * @param grid G = S / patch, rounded down: the remainder pixels are never seen
 */
public record VisionGeometry(int width, int layers, int heads, int patch, int grid) {
    /** CLIP's ViTs use 64-wide attention heads. */
    public static final int HEAD_WIDTH = 64;

    /** Reads the geometry from {@code visual.*} weights in OpenAI's names, for images of size S. */
    public static VisionGeometry of(StateDict clip, int imageSize) {
        long[] conv = clip.require("visual.conv1.weight").shape();
        if (conv.length != 4 || conv[1] != 3 || conv[2] != conv[3]) {
            throw new CheckpointException(clip.source(), "visual.conv1.weight must be [width,3,patch,patch], got "
                    + Arrays.toString(conv));
        }
        int width = (int) conv[0];
        int patch = (int) conv[2];
        int layers = 0;
        while (clip.contains("visual.transformer.resblocks." + layers + ".ln_1.weight")) {
            layers++;
        }
        if (layers == 0) {
            throw new CheckpointException(clip.source(), "no visual.transformer.resblocks.0.* tensors: not a CLIP ViT");
        }
        if (width % HEAD_WIDTH != 0) {
            throw new CheckpointException(clip.source(), "vision width " + width + " is not a multiple of "
                    + HEAD_WIDTH + " (CLIP uses heads = width / 64)");
        }
        int grid = imageSize / patch;
        if (grid < 1) {
            throw new IllegalArgumentException("image size " + imageSize + " is smaller than the patch size " + patch);
        }
        return new VisionGeometry(width, layers, width / HEAD_WIDTH, patch, grid);
    }

    /** Tokens per image: CLS plus G*G patches. */
    public int tokens() {
        return 1 + grid * grid;
    }
}
