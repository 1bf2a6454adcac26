package org.mvfaedge.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Element-wise ops with a scalar that are safe on a training graph.
 *
 * <p>Why: on the PyTorch engine, {@code x.mul(0.5f)} (likewise {@code div}, {@code pow},
 * {@code maximum} with a {@code Number}) wraps the scalar in a tensor made with {@code from_blob}
 * over a Java direct buffer, runs the op and closes that tensor at once. Autograd saves the scalar
 * operand of {@code mul}/{@code div}/{@code pow}/{@code maximum} for the backward pass, but the saved
 * tensor does not own its memory: once the closed array is garbage-collected, its buffer is freed and
 * the backward pass reads freed memory (silently wrong gradients, NaN weights, depending on GC timing).
 * Here the scalar is made by {@code full}, so PyTorch owns (and reference-counts) its storage. The
 * result is bit-identical to the {@code Number} overloads (a float32 scalar either way).
 */
public final class Scalars {
    private Scalars() {
    }

    private static NDArray scalar(NDArray like, float v) {
        return like.getManager().full(new Shape(), v, like.getDataType());
    }

    public static NDArray mul(NDArray x, float v) {
        try (NDArray s = scalar(x, v)) {
            return x.mul(s);
        }
    }

    public static NDArray div(NDArray x, float v) {
        try (NDArray s = scalar(x, v)) {
            return x.div(s);
        }
    }

    public static NDArray pow(NDArray x, float v) {
        try (NDArray s = scalar(x, v)) {
            return x.pow(s);
        }
    }

    public static NDArray maximum(NDArray x, float v) {
        try (NDArray s = scalar(x, v)) {
            return x.maximum(s);
        }
    }
}
