package org.mvfaedge.sdk.runtime;

/**
 * Something that turns a batch of preprocessed images ({@code [n,3,S,S]} floats, pixels 0..1) into
 * {@link RawOutputs}: the exported ONNX model on ONNX Runtime, or the trainer's DJL model. The paper's
 * evaluation protocol runs on either, which is how an export is proven equal to its source.
 */
public interface RawScorer {
    /** Side S of the input images. */
    int imageSize();

    /** Whether few-shot outputs (a memory bank) are available. */
    boolean fewShot();

    RawOutputs score(float[] images, int n);
}
