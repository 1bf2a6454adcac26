package org.mvfaedge.sdk.bank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import org.junit.jupiter.api.Test;

/** float16 conversions against IEEE 754 binary16 values worked out by hand. */
class BankTensorsTest {
    @Test
    void halfPrecisionBitsAreIeeeBinary16RoundedToNearestEven() {
        assertEquals(0x3C00, BankTensors.fromFloat(1f) & 0xffff);
        assertEquals(0xC000, BankTensors.fromFloat(-2f) & 0xffff);
        assertEquals(0x3555, BankTensors.fromFloat(1f / 3) & 0xffff); // 0.333251953125, the nearest half
        assertEquals(0x7BFF, BankTensors.fromFloat(65504f) & 0xffff); // largest half
        assertEquals(0x7C00, BankTensors.fromFloat(65520f) & 0xffff); // halfway to 2^16 rounds to infinity
        assertEquals(0x0001, BankTensors.fromFloat(0x1p-24f) & 0xffff); // smallest subnormal
        assertEquals(0x0000, BankTensors.fromFloat(0x1p-25f) & 0xffff); // a tie: to even (zero)
        assertEquals(0x0002, BankTensors.fromFloat(0x1.8p-24f) & 0xffff); // a tie between 1 and 2: to even (2)
        assertEquals(0x3C00, BankTensors.fromFloat(1f + 0x1p-11f) & 0xffff); // a tie between 0x3C00 and 0x3C01: even
        assertEquals(0x3C02, BankTensors.fromFloat(1f + 0x3p-11f) & 0xffff); // a tie between 0x3C01 and 0x3C02: even
        assertEquals(0.333251953125f, BankTensors.toFloat((short) 0x3555));
        assertEquals(0x1p-24f, BankTensors.toFloat((short) 0x0001));
        assertEquals(Float.NEGATIVE_INFINITY, BankTensors.toFloat((short) 0xFC00));
        assertEquals(65504f, BankTensors.toFloat((short) 0x7BFF));
    }

    @Test
    void aFloat16BankHoldsTheRoundedRowsInHalfTheBytes() {
        float[] rows = {1f, -0.5f, 1f / 3, 0.1f, 2e-5f, -7.25f};
        var t16 = BankTensors.tensor("memory_seg_0", 2, 3, rows, DataType.FLOAT16.getNumber());
        var t32 = BankTensors.tensor("memory_seg_0", 2, 3, rows, DataType.FLOAT.getNumber());
        assertEquals(t32.getRawData().size() / 2, t16.getRawData().size());
        float[] back = BankTensors.rows(t16);
        for (int i = 0; i < rows.length; i++) {
            // binary16 keeps 11 significant bits: relative error at most 2^-11 for normal values.
            assertEquals(rows[i], back[i], Math.abs(rows[i]) * 0x1p-11f + 0x1p-25f, "value " + i);
        }
        assertArrayEquals(rows, BankTensors.rows(t32));
    }
}
