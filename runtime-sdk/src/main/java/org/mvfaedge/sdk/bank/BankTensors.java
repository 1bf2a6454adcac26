package org.mvfaedge.sdk.bank;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import org.mvfaedge.sdk.onnx.OnnxFormatException;
import org.mvfaedge.sdk.onnx.OnnxTensors;

/**
 * Memory-bank initializers in float32 or float16 ({@code --bank-precision fp16}: half the bytes on
 * disk and in the session; the graph casts the bank back to float32, so the similarity accumulates in
 * float32). Conversions round to nearest even, as numpy's {@code astype(float16)}.
 */
public final class BankTensors {
    private BankTensors() {
    }

    /** The rows of a bank initializer (float32 or float16, raw data), as float32. */
    public static float[] rows(TensorProto t) {
        if (t.getDataType() == DataType.FLOAT.getNumber()) {
            return OnnxTensors.toFloats(t);
        }
        if (t.getDataType() != DataType.FLOAT16.getNumber() || !t.hasRawData()) {
            throw new OnnxFormatException("memory bank '" + t.getName() + "' is of ONNX data type " + t.getDataType()
                    + "; a bank is FLOAT or FLOAT16 raw data");
        }
        ByteString raw = t.getRawData();
        long n = OnnxTensors.numel(OnnxTensors.dims(t));
        if (raw.size() != n * 2) {
            throw new OnnxFormatException("tensor '" + t.getName() + "' holds " + raw.size() + " bytes, its shape "
                    + t.getDimsList() + " needs " + n * 2);
        }
        ShortBuffer s = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        float[] out = new float[(int) n];
        for (int i = 0; i < out.length; i++) {
            out[i] = toFloat(s.get(i));
        }
        return out;
    }

    /** A bank initializer of {@code type} ({@link DataType#FLOAT} or {@link DataType#FLOAT16}). */
    public static TensorProto tensor(String name, int rows, int width, float[] data, int type) {
        if (type == DataType.FLOAT.getNumber()) {
            return OnnxTensors.floats(name, new long[] {rows, width}, data);
        }
        if (type != DataType.FLOAT16.getNumber()) {
            throw new IllegalArgumentException("a bank is FLOAT or FLOAT16, not ONNX type " + type);
        }
        int n = rows * width;
        ByteBuffer buf = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
        ShortBuffer s = buf.asShortBuffer();
        for (int i = 0; i < n; i++) {
            s.put(i, fromFloat(data[i]));
        }
        return TensorProto.newBuilder().setName(name).setDataType(type).addDims(rows).addDims(width)
                .setRawData(UnsafeByteOperations.unsafeWrap(buf.array())).build();
    }

    /** IEEE 754 binary16 to float. */
    public static float toFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal: mant x 2^-24
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** Float to IEEE 754 binary16, rounding to nearest even; overflow gives infinity. */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs >= 0x7f800000) { // inf or NaN
            return (short) (sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0));
        }
        if (abs >= 0x477ff000) { // rounds to >= 65520: infinity
            return (short) (sign | 0x7c00);
        }
        if (abs < 0x38800000) { // below the smallest normal half 2^-14: subnormal or zero
            float a = Float.intBitsToFloat(abs);
            int m = Math.round(a * 0x1p24f); // units of 2^-24 (exact in float); Math.round breaks ties upwards
            float exact = a * 0x1p24f;
            if (exact - Math.floor(exact) == 0.5 && (m & 1) == 1) {
                m--;
            }
            return (short) (sign | m);
        }
        int exp = ((abs >>> 23) - 127 + 15);
        int mant = abs & 0x7fffff;
        int half = (exp << 10) | (mant >>> 13);
        int rest = mant & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++; // may carry into the exponent, which is the correct rounding
        }
        return (short) (sign | half);
    }
}
