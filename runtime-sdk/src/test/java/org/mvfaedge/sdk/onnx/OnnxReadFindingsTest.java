package org.mvfaedge.sdk.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Regression tests of the fuzzing findings in the SDK's ONNX reader (OnnxFuzzTest). */
class OnnxReadFindingsTest {
    private static ModelProto withExternal(String location, long offset, long length) {
        OnnxGraph g = new OnnxGraph("ext");
        String x = g.input("x", DataType.FLOAT, 2);
        TensorProto w = TensorProto.newBuilder().setName("w").setDataType(DataType.FLOAT.getNumber()).addDims(2)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue(Long.toString(offset)))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(Long.toString(length)))
                .build();
        g.initializer(w);
        String y = g.op("Add", List.of(x, "w"));
        g.output(y, DataType.FLOAT, 2);
        return g.toModel("test", "1", Map.of());
    }

    @Test
    void nulInTheExternalDataFileNameIsAFormatError(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("model.onnx");
        Files.write(model, withExternal("model.onnx\0.data", 0, 8).toByteArray());
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxModelFiles.read(model));
        assertTrue(e.getMessage().contains("not a valid file name"), e.getMessage());
    }

    @Test
    void rangesPastTheFileAreFormatErrorsAndAGoodRangeReads(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("model.onnx");
        Files.write(tmp.resolve("model.onnx.data"), new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0x40});
        for (long[] bad : new long[][] {{Long.MAX_VALUE - 2, 8}, {4, 8}, {-1, 8}, {0, Long.MAX_VALUE}}) {
            Files.write(model, withExternal("model.onnx.data", bad[0], bad[1]).toByteArray());
            assertThrows(OnnxFormatException.class, () -> OnnxModelFiles.read(model), "offset " + bad[0] + " length " + bad[1]);
        }
        Files.write(model, withExternal("model.onnx.data", 0, 8).toByteArray());
        TensorProto w = OnnxModelFiles.read(model).getGraph().getInitializer(0);
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0x40}, w.getRawData().toByteArray()); // 1.0f, 2.0f
    }
}
