package org.mvfaedge.trainer.text;

/**
 * CLIP's text tower: token rows in, one sentence embedding per row out (the end token's
 * feature after the final layer norm, projected), as {@code model.encode_text} returns them.
 */
@FunctionalInterface
public interface TextEncoder {
    /**
     * @param tokens {@code [n, contextLength]} token ids, as {@link BpeTokenizer#tokenize} makes them
     * @return {@code [n, embedDim]} sentence embeddings, not normalised
     */
    float[][] encode(int[][] tokens);
}
