package org.mvfaedge.trainer.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Layout of the adapter tokens the heads consume: {@code [N, 1 + G*G, C]}, the CLS token first and
 * then the G x G patch grid in row-major order (as the ViT's patch embedding flattens it).
 */
public final class TokenGrid {
    private TokenGrid() {
    }

    /**
     * Side G of the patch grid for a token count that includes CLS.
     *
     * @throws HeadInputException when {@code tokensWithCls - 1} is not a positive square
     */
    public static int side(long tokensWithCls) {
        long patches = tokensWithCls - 1;
        long g = Math.round(Math.sqrt((double) Math.max(patches, 0)));
        if (patches < 1 || g * g != patches) {
            throw new HeadInputException("expected 1 + G*G tokens per image (CLS then a square patch grid),"
                    + " got " + tokensWithCls + " tokens");
        }
        return Math.toIntExact(g);
    }

    /** Checks that {@code tokens} is {@code [N, 1 + G*G, C]} and returns G. */
    public static int checkBatch(NDArray tokens, String what) {
        Shape s = tokens.getShape();
        if (s.dimension() != 3) {
            throw new HeadInputException(what + ": expected [N, 1 + G*G, C] (batch, CLS + patch tokens, width),"
                    + " got shape " + s + "; add a batch axis with expandDims(0) for a single image");
        }
        return side(s.get(1));
    }

    /** The patch tokens {@code [N, G*G, C]} of {@code [N, 1 + G*G, C]}: CLS dropped. */
    public static NDArray patches(NDArray tokens) {
        return tokens.get(new NDIndex(":, 1:, :"));
    }
}
