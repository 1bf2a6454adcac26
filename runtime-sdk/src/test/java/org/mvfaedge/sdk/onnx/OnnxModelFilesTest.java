package org.mvfaedge.sdk.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Graph building, model files with and without external data, and their failure messages. */
class OnnxModelFilesTest {
    @TempDir
    Path tmp;

    /** y = (x + bias) @ weight, with x [N,4], a weight of 4x300 floats (4.8 KB) and a 16-byte bias. */
    private static ModelProto smallModel(float[] weight) {
        OnnxGraph g = new OnnxGraph("small");
        String x = g.input("x", DataType.FLOAT, "N", 4);
        String b = g.initializer("bias", new long[] {4}, new float[] {1, 2, 3, 4});
        String w = g.initializer("weight", new long[] {4, 300}, weight);
        g.rename(g.op("MatMul", g.op("Add", x, b), w), "y");
        g.output("y", DataType.FLOAT, "N", 300);
        return g.toModel("test", "1", Map.of("purpose", "test"));
    }

    private static float[] weight(float scale) {
        float[] w = new float[4 * 300];
        for (int i = 0; i < w.length; i++) {
            w[i] = scale * ((i * 37) % 101 - 50) / 50f;
        }
        return w;
    }

    private static float[] run(Path model, float[] x, int n) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions());
                OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {n, 4});
                OrtSession.Result r = s.run(Map.of("x", in))) {
            FloatBuffer fb = ((OnnxTensor) r.get("y").get()).getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
    }

    private static float[] expected(float[] x, int n, float[] w) {
        float[] y = new float[n * 300];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < 300; c++) {
                double s = 0;
                for (int k = 0; k < 4; k++) {
                    s += (x[r * 4 + k] + (k + 1)) * (double) w[k * 300 + c];
                }
                y[r * 300 + c] = (float) s;
            }
        }
        return y;
    }

    @Test
    void inlineAndExternalModelsComputeTheSameInOnnxRuntime() throws Exception {
        ModelProto m = smallModel(weight(1));
        Path inline = tmp.resolve("a/model.onnx");
        Path external = tmp.resolve("b/model.onnx");
        OnnxModelFiles.write(m, inline, ExternalDataPolicy.automatic());
        OnnxModelFiles.write(m, external, ExternalDataPolicy.always(1024));
        assertTrue(Files.notExists(OnnxModelFiles.dataFileFor(inline)));
        assertEquals(4 * 300 * 4, Files.size(OnnxModelFiles.dataFileFor(external)), "one tensor, at offset 0");
        float[] x = {0.5f, -1, 2, 0, 1, 1, 1, 1};
        float[] want = expected(x, 2, weight(1));
        float[] a = run(inline, x, 2);
        float[] b = run(external, x, 2);
        assertArrayEquals(a, b);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], a[i], 1e-5, "y[" + i + "]");
        }
        ModelProto disk = ModelProto.parseFrom(Files.readAllBytes(external));
        TensorProto bias = OnnxModelEdits.initializer(disk, "bias");
        assertEquals(TensorProto.DataLocation.DEFAULT, bias.getDataLocation(), "16 bytes stay inline");
        assertEquals(TensorProto.DataLocation.EXTERNAL, OnnxModelEdits.initializer(disk, "weight").getDataLocation());
        assertEquals(m, OnnxModelFiles.read(external), "read brings the data back inline, identical");
        assertEquals(OnnxGraph.IR_VERSION, disk.getIrVersion());
        assertEquals(OnnxGraph.OPSET, disk.getOpsetImport(0).getVersion());
    }

    @Test
    void replacedInitializerIsWhatTheRewrittenModelComputesWith() throws Exception {
        Path file = tmp.resolve("model.onnx");
        OnnxModelFiles.write(smallModel(weight(1)), file, ExternalDataPolicy.always(0));
        ModelProto edited = OnnxModelEdits.replaceInitializer(OnnxModelFiles.read(file),
                OnnxTensors.floats("weight", new long[] {4, 300}, weight(-3)));
        OnnxModelFiles.write(edited, file, ExternalDataPolicy.always(0));
        float[] x = {1, 2, 3, 4};
        float[] want = expected(x, 1, weight(-3));
        float[] got = run(file, x, 1);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-4);
        }
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxModelEdits.replaceInitializer(edited,
                OnnxTensors.floats("weight", new long[] {1200}, weight(1))));
        assertTrue(e.getMessage().contains("keep its type and rank"), e.getMessage());
        assertThrows(OnnxFormatException.class, () -> OnnxModelEdits.replaceInitializer(edited,
                OnnxTensors.floats("memory_seg_0", new long[] {1}, new float[1])));
    }

    @Test
    void brokenExternalDataIsReportedWithWhatToFix() throws Exception {
        Path file = tmp.resolve("model.onnx");
        ModelProto m = smallModel(weight(1));
        OnnxModelFiles.write(m, file, ExternalDataPolicy.always(1024));
        Path data = OnnxModelFiles.dataFileFor(file);
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.WRITE)) {
            ch.truncate(100);
        }
        assertTrue(assertThrows(OnnxFormatException.class, () -> OnnxModelFiles.read(file)).getMessage().contains("truncated"));
        Files.delete(data);
        assertTrue(assertThrows(OnnxFormatException.class, () -> OnnxModelFiles.read(file)).getMessage()
                .contains("copy it together with the model"));

        // A location that leaves the model's folder is refused, not followed.
        ModelProto disk = ModelProto.parseFrom(Files.readAllBytes(file));
        TensorProto w = OnnxModelEdits.initializer(disk, "weight").toBuilder().clearExternalData()
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("../secret.bin"))
                .build();
        var graph = disk.getGraph().toBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            if (graph.getInitializer(i).getName().equals("weight")) {
                graph.setInitializer(i, w);
            }
        }
        Files.write(file, disk.toBuilder().setGraph(graph).build().toByteArray());
        assertTrue(assertThrows(OnnxFormatException.class, () -> OnnxModelFiles.read(file)).getMessage()
                .contains("outside the model's folder"));

        // Writing a model that still points at external data would lose it.
        assertThrows(OnnxFormatException.class, () -> OnnxModelFiles.write(disk, tmp.resolve("c.onnx"),
                ExternalDataPolicy.never()));
        Files.writeString(tmp.resolve("text.onnx"), "not protobuf at all \u0000\u00ff");
        assertThrows(OnnxFormatException.class, () -> OnnxModelFiles.read(tmp.resolve("text.onnx")));
        assertTrue(assertThrows(OnnxFormatException.class, () -> OnnxModelFiles.read(tmp.resolve("none.onnx")))
                .getMessage().contains("does not exist"));
    }

    @Test
    void externalDataStartsAboveTheTotalTrigger() throws Exception {
        // The automatic policy's 1 GB trigger, scaled down: the 4.8 KB weight crosses a 4 KB trigger.
        ModelProto m = smallModel(weight(1));
        Path below = tmp.resolve("below/model.onnx");
        Path above = tmp.resolve("above/model.onnx");
        OnnxModelFiles.write(m, below, new ExternalDataPolicy(10_000, 1024));
        OnnxModelFiles.write(m, above, new ExternalDataPolicy(4_000, 1024));
        assertTrue(Files.notExists(OnnxModelFiles.dataFileFor(below)));
        assertTrue(Files.isRegularFile(OnnxModelFiles.dataFileFor(above)));
        assertTrue(ExternalDataPolicy.automatic().appliesTo(1_300_000_000L), "a ViT-L/14 export goes external");
        assertTrue(!ExternalDataPolicy.automatic().appliesTo(350_000_000L), "a ViT-B/16 export stays in one file");
        // Nothing reaches the per-tensor threshold: one self-contained file after all.
        OnnxModelFiles.write(m, above, ExternalDataPolicy.always(1 << 20));
        assertTrue(Files.notExists(OnnxModelFiles.dataFileFor(above)));
        assertEquals(m, OnnxModelFiles.read(above));
    }

    @Test
    void noTemporaryFilesAreLeftBehind() throws Exception {
        Path file = tmp.resolve("pkg/model.onnx");
        OnnxModelFiles.write(smallModel(weight(1)), file, ExternalDataPolicy.always(1024));
        OnnxModelFiles.write(smallModel(weight(2)), file, ExternalDataPolicy.always(1024));
        try (var files = Files.list(file.getParent())) {
            assertEquals(List.of("model.onnx", "model.onnx.data"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void graphBuilderRefusesInconsistentGraphs() {
        OnnxGraph g = new OnnxGraph("bad");
        String x = g.input("x", DataType.FLOAT, "N", 2);
        assertTrue(assertThrows(OnnxFormatException.class, () -> g.input("x", DataType.FLOAT, 1)).getMessage()
                .contains("used twice"));
        assertTrue(assertThrows(OnnxFormatException.class, () -> g.op("Add", x, "nowhere")).getMessage()
                .contains("'nowhere'"));
        assertThrows(OnnxFormatException.class, () -> g.output("y", DataType.FLOAT, "N", 2));
        assertThrows(OnnxFormatException.class, () -> g.initializer("w", new long[] {2, 2}, new float[3]));
        assertThrows(OnnxFormatException.class, () -> g.toModel("t", "1", Map.of()));
        String y = g.op("Relu", x);
        assertEquals("out", g.rename(y, "out"));
        g.output("out", DataType.FLOAT, "N", 2);
        assertEquals(List.of("out"), g.toModel("t", "1", Map.of()).getGraph().getNode(0).getOutputList());
        assertEquals(java.util.Set.of("Relu"), g.opTypes());
        assertEquals(g.int64s(1, 2), g.int64s(1, 2), "equal constants are shared");
    }
}
