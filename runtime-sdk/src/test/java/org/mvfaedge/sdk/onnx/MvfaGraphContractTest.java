package org.mvfaedge.sdk.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.DetectorOptions;
import org.mvfaedge.sdk.ExecutionProvider;
import org.mvfaedge.sdk.ModelPackageException;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.pkg.Sha256;
import org.mvfaedge.sdk.testing.ToyPackages;

/**
 * A graph that is not an MVFA graph is refused when the package is opened, naming what it lacks, before
 * any execution provider is tried. The foreign graph is built here from the onnx protobuf classes alone
 * (an image classifier's shape: pixel_values -> Conv weights -> Relu -> logits), and ONNX Runtime itself
 * is the independent judge of its input and output names.
 */
class MvfaGraphContractTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A valid ONNX graph of another kind, with a 64 KiB initializer the reader must skip. */
    static void foreignGraph(Path file) throws Exception {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : new long[] {1, 3, 8, 8}) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)).build();
        TypeProto untyped = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT_VALUE)).build();
        int out = 512;
        TensorProto.Builder w = TensorProto.newBuilder().setName("conv.weight")
                .setDataType(TensorProto.DataType.FLOAT_VALUE).addDims(out).addDims(3).addDims(3).addDims(3);
        for (int i = 0; i < out * 27; i++) {
            w.addFloatData((i % 7) * 0.01f);
        }
        GraphProto g = GraphProto.newBuilder().setName("classifier")
                .addInput(ValueInfoProto.newBuilder().setName("pixel_values").setType(type))
                .addInitializer(w)
                .addNode(NodeProto.newBuilder().setOpType("Conv").addInput("pixel_values").addInput("conv.weight")
                        .addOutput("features"))
                .addNode(NodeProto.newBuilder().setOpType("Relu").addInput("features").addOutput("logits"))
                .addOutput(ValueInfoProto.newBuilder().setName("logits").setType(untyped))
                .build();
        ModelProto m = ModelProto.newBuilder().setIrVersion(8).setProducerName("not-mvfa")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).setGraph(g).build();
        Files.write(file, m.toByteArray());
    }

    @Test
    void readsTheNamesOnnxRuntimeSees(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("foreign.onnx");
        foreignGraph(f);
        MvfaGraphContract.Signature s = MvfaGraphContract.read(f);
        try (OrtSession session = OrtEnvironment.getEnvironment().createSession(f.toString(),
                new OrtSession.SessionOptions())) {
            assertEquals(session.getInputNames(), s.inputs());
            assertEquals(session.getOutputNames(), s.outputs());
        }
        assertEquals(Set.of("pixel_values"), s.inputs());
        Path toy = tmp.resolve("toy.onnx");
        ToyPackages.channelMeanGraph(toy, 8, true);
        MvfaGraphContract.Signature mvfa = MvfaGraphContract.read(toy);
        assertEquals(Set.of("image"), mvfa.inputs());
        assertEquals(Set.of("zero_map", "zero_score", "few_map", "few_score"), mvfa.outputs());
        assertTrue(mvfa.fewShot());
    }

    @Test
    void aForeignGraphIsAPackageErrorBeforeAnyProvider(@TempDir Path tmp) throws Exception {
        Path pkg = ToyPackages.channelMean(tmp.resolve("toy"), 8, 0.5).dir();
        foreignGraph(pkg.resolve("model.onnx"));
        resign(pkg);
        PrintStream old = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        ModelPackageException e;
        try {
            e = assertThrows(ModelPackageException.class, () -> AnomalyDetector.open(pkg, DetectorOptions.builder()
                    .providers(ExecutionProvider.TENSORRT, ExecutionProvider.CUDA, ExecutionProvider.CPU).build()));
        } finally {
            System.setErr(old);
        }
        String m = e.getMessage();
        assertTrue(m.contains("not an MVFA graph"), m);
        assertTrue(m.contains("missing input(s) image"), m);
        assertTrue(m.contains("missing output(s) zero_map, zero_score"), m);
        assertTrue(m.contains("pixel_values") && m.contains("logits"), "names what the graph has: " + m);
        assertFalse(m.contains("execution provider"), m);
        // no provider was tried: the SDK logs every provider it tries (and each failure) on stderr
        assertFalse(log.toString(StandardCharsets.UTF_8).contains("execution provider"), log.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aFewShotManifestNeedsTheFewShotOutputs(@TempDir Path tmp) throws Exception {
        Path pkg = ToyPackages.channelMean(tmp.resolve("toy"), 8, 0.5).dir();
        ObjectNode root = (ObjectNode) JSON.readTree(pkg.resolve("manifest.json").toFile());
        ((ObjectNode) root.get("mode")).put("protocol", "few-shot");
        JSON.writeValue(pkg.resolve("manifest.json").toFile(), root);
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> ModelPackage.open(pkg));
        assertTrue(e.getMessage().contains("missing output(s) few_map, few_score"), e.getMessage());
        assertFalse(e.getMessage().contains("missing input"), e.getMessage());
    }

    /** Puts the current model file's sha256 into the manifest, so only the graph's kind is wrong. */
    private static void resign(Path pkg) throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(pkg.resolve("manifest.json").toFile());
        ((ObjectNode) root.get("model")).put("sha256", Sha256.of(pkg.resolve("model.onnx")));
        JSON.writeValue(pkg.resolve("manifest.json").toFile(), root);
    }
}
