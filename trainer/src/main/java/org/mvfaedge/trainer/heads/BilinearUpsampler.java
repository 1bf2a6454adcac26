package org.mvfaedge.trainer.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code F.interpolate(x, size, mode='bilinear', align_corners=True)} as a differentiable product of
 * matrices: with the interpolation matrix {@code W_h [OH, H]} and {@code W_w [OW, W]}, the result is
 * {@code W_h @ X @ W_w^T}, batched over every leading axis (images, channels). A matrix product is a
 * standard op on every backend (DJL autograd, ONNX MatMul), unlike a gather-based resize.
 *
 * <p>Source coordinate of output pixel {@code d} is {@code d * (in - 1) / (out - 1)} (0 when
 * {@code out == 1}), as PyTorch computes it for {@code align_corners=True}. Matrices are cached per
 * (in, out) as host arrays, so no native memory outlives a call.
 */
public final class BilinearUpsampler {
    private static final Map<Long, float[]> CACHE = new ConcurrentHashMap<>();

    private BilinearUpsampler() {
    }

    /**
     * Interpolation matrix {@code [out, in]} in row-major order: row {@code d} holds the weights of
     * the input samples for output sample {@code d}; every row sums to 1.
     */
    public static float[] matrix(int in, int out) {
        if (in < 1 || out < 1) {
            throw new HeadInputException("bilinear interpolation needs sizes >= 1, got " + in + " -> " + out);
        }
        return CACHE.computeIfAbsent(((long) in << 32) | out, k -> compute(in, out)).clone();
    }

    private static float[] compute(int in, int out) {
        float[] w = new float[out * in];
        // PyTorch (upsample_bilinear2d, align_corners) computes the scale and the source coordinate
        // in float; doing the same keeps the weights bit-identical to the reference's.
        float scale = out > 1 ? (float) (in - 1) / (out - 1) : 0f;
        for (int d = 0; d < out; d++) {
            float src = scale * d;
            int i0 = Math.min((int) Math.floor(src), in - 1);
            int i1 = Math.min(i0 + 1, in - 1);
            float lambda1 = src - i0;
            float lambda0 = 1f - lambda1;
            w[d * in + i0] += lambda0;
            w[d * in + i1] += lambda1;
        }
        return w;
    }

    /**
     * Resizes the last two axes of {@code x} ({@code [..., H, W]}) to {@code outH x outW}.
     * The result is attached to {@code x}'s manager and keeps {@code x}'s data type.
     */
    public static NDArray upsample(NDArray x, int outH, int outW) {
        Shape s = x.getShape();
        if (s.dimension() < 2) {
            throw new HeadInputException("bilinear interpolation needs an array [..., H, W], got shape " + s);
        }
        int h = Math.toIntExact(s.get(s.dimension() - 2));
        int w = Math.toIntExact(s.get(s.dimension() - 1));
        NDManager parent = x.getManager();
        try (NDManager scope = parent.newSubManager()) {
            // duplicate(): the PyTorch engine's create() wraps the Java direct buffer without copying,
            // and that buffer is freed once the array is closed and collected. The autograd graph keeps
            // the matrices for the backward pass (training back-propagates through this op after the
            // scope has closed), so they must own their memory.
            NDArray wh = scope.create(matrix(h, outH), new Shape(outH, h)).toType(x.getDataType(), false).duplicate();
            NDArray wwT = scope.create(matrix(w, outW), new Shape(outW, w)).toType(x.getDataType(), false)
                    .transpose().duplicate();
            x.tempAttach(scope);
            NDArray result = wh.matMul(x).matMul(wwT);
            result.attach(parent);
            return result;
        }
    }

    /** Square case: {@code [..., G, G]} to {@code [..., size, size]}. */
    public static NDArray upsample(NDArray x, int size) {
        return upsample(x, size, size);
    }
}
