package org.mvfaedge.sdk.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Conversions between Java arrays and ONNX {@link TensorProto}s. Data is always written as
 * {@code raw_data} (little-endian, C order), the compact form that external data can move out of the
 * model file.
 */
public final class OnnxTensors {
    private OnnxTensors() {
    }

    /** Number of elements of a shape. */
    public static long numel(long... dims) {
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new OnnxFormatException("a constant tensor needs concrete dimensions, got " + Arrays.toString(dims));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** A float32 tensor; {@code data} must hold exactly the shape's element count. */
    public static TensorProto floats(String name, long[] dims, float[] data) {
        checkCount(name, dims, data.length);
        ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(data.length, Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(data);
        return tensor(name, DataType.FLOAT, dims, buf.array());
    }

    /** An int64 tensor (shapes, indices, axes). */
    public static TensorProto int64s(String name, long[] dims, long[] data) {
        checkCount(name, dims, data.length);
        ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(data.length, Long.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        buf.asLongBuffer().put(data);
        return tensor(name, DataType.INT64, dims, buf.array());
    }

    private static TensorProto tensor(String name, DataType type, long[] dims, byte[] raw) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(type.getNumber());
        for (long d : dims) {
            b.addDims(d);
        }
        // The array was freshly allocated here and is never modified again: wrapping avoids a copy of
        // what may be hundreds of megabytes.
        return b.setRawData(UnsafeByteOperations.unsafeWrap(raw)).build();
    }

    private static void checkCount(String name, long[] dims, int have) {
        long want = numel(dims);
        if (want != have) {
            throw new OnnxFormatException("tensor '" + name + "' of shape " + Arrays.toString(dims) + " needs "
                    + want + " values, got " + have);
        }
    }

    /** The values of an inline float32 tensor (raw_data or float_data). */
    public static float[] toFloats(TensorProto t) {
        if (t.getDataType() != DataType.FLOAT.getNumber()) {
            throw new OnnxFormatException("tensor '" + t.getName() + "' is of ONNX data type " + t.getDataType()
                    + ", expected FLOAT (" + DataType.FLOAT.getNumber() + ")");
        }
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new OnnxFormatException("tensor '" + t.getName() + "' keeps its data in an external file: "
                    + "load the model with OnnxModelFiles.read, which brings it inline");
        }
        long n = numel(t.getDimsList().stream().mapToLong(Long::longValue).toArray());
        float[] out;
        if (t.hasRawData()) {
            ByteString raw = t.getRawData();
            if (raw.size() != n * Float.BYTES) {
                throw new OnnxFormatException("tensor '" + t.getName() + "' holds " + raw.size() + " bytes, its shape "
                        + t.getDimsList() + " needs " + n * Float.BYTES);
            }
            out = new float[(int) n];
            raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        } else {
            if (t.getFloatDataCount() != n) {
                throw new OnnxFormatException("tensor '" + t.getName() + "' holds " + t.getFloatDataCount()
                        + " floats, its shape " + t.getDimsList() + " needs " + n);
            }
            out = new float[(int) n];
            for (int i = 0; i < out.length; i++) {
                out[i] = t.getFloatData(i);
            }
        }
        return out;
    }

    /** Dimensions of a tensor as an array. */
    public static long[] dims(TensorProto t) {
        return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    /** Bytes of inline data a tensor carries (what external data would move out of the model file). */
    public static long dataBytes(TensorProto t) {
        if (t.hasRawData()) {
            return t.getRawData().size();
        }
        return (long) t.getFloatDataCount() * 4 + (long) t.getInt32DataCount() * 4
                + (long) t.getInt64DataCount() * 8 + (long) t.getDoubleDataCount() * 8
                + (long) t.getUint64DataCount() * 8;
    }
}
