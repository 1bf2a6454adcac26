package org.mvfaedge.trainer.weights;

import java.util.Arrays;

/**
 * A tensor read from a checkpoint, held on the Java heap in C order. Floating types (fp16, bf16,
 * fp32, fp64) are widened or narrowed to float32, which is what the model computes in; integer
 * tensors keep their values as longs.
 */
public final class HostTensor {
    /** Element type as stored in the source file. */
    public enum DType { F16, BF16, F32, F64, I64, I32, I16, I8, U8, BOOL }

    private final long[] shape;
    private final DType sourceType;
    private final float[] floats;
    private final long[] longs;

    private HostTensor(long[] shape, DType sourceType, float[] floats, long[] longs) {
        this.shape = shape.clone();
        this.sourceType = sourceType;
        this.floats = floats;
        this.longs = longs;
        long n = numel(shape);
        int have = floats != null ? floats.length : longs.length;
        if (n != have) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                    + " values, got " + have);
        }
    }

    public static HostTensor ofFloats(long[] shape, float[] data) {
        return new HostTensor(shape, DType.F32, data, null);
    }

    public static HostTensor ofFloats(long[] shape, float[] data, DType sourceType) {
        return new HostTensor(shape, sourceType, data, null);
    }

    public static HostTensor ofLongs(long[] shape, long[] data, DType sourceType) {
        return new HostTensor(shape, sourceType, null, data);
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public long numel() {
        return numel(shape);
    }

    public DType sourceType() {
        return sourceType;
    }

    public boolean isFloating() {
        return floats != null;
    }

    /** The values as float32 (integer tensors are converted). Do not modify the returned array. */
    public float[] floats() {
        if (floats != null) {
            return floats;
        }
        float[] out = new float[longs.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = longs[i];
        }
        return out;
    }

    /** The values as longs (integer tensors only). */
    public long[] longs() {
        if (longs == null) {
            throw new IllegalStateException("not an integer tensor: " + sourceType);
        }
        return longs;
    }

    /** The single value of a scalar or one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalStateException("not a scalar: shape " + Arrays.toString(shape));
        }
        return floats != null ? floats[0] : longs[0];
    }

    @Override
    public String toString() {
        return sourceType + Arrays.toString(shape);
    }
}
