package org.mvfaedge.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.onnx.ExternalDataPolicy;
import org.mvfaedge.sdk.onnx.MvfaGraphNames;
import org.mvfaedge.sdk.onnx.OnnxFormatException;
import org.mvfaedge.sdk.onnx.OnnxGraph;
import org.mvfaedge.sdk.onnx.OnnxAttributes;
import org.mvfaedge.sdk.onnx.OnnxModelFiles;
import org.mvfaedge.sdk.testing.Fixtures;

/**
 * {@code --layernorm decomposed}: the graph without LayerNormalization (for TensorRT < 8.6) gives the
 * fused graph's outputs, and the reference's, in ONNX Runtime; in fp16 too; onnx.checker accepts it.
 */
class LayerNormDecompositionTest {
    @TempDir
    static Path tmp;

    private static FixtureGraphs fx;
    private static ModelProto fused;
    private static ModelProto decomposed;

    @BeforeAll
    static void export() throws Exception {
        fx = new FixtureGraphs();
        fused = fx.brainFewShot();
        decomposed = LayerNormDecomposition.apply(fused);
    }

    private static Map<String, OrtRun.Output> run(ModelProto m, String name) throws Exception {
        Path file = tmp.resolve(name + "/model.onnx");
        OnnxModelFiles.write(m, file, ExternalDataPolicy.automatic());
        try (OrtRun ort = new OrtRun(file)) {
            return ort.run(MvfaGraphNames.IMAGE, fx.batchOf("input"), fx.images, 3, fx.imageSize, fx.imageSize);
        }
    }

    private static long count(ModelProto m, String op) {
        return m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals(op)).count();
    }

    @Test
    void noLayerNormalizationLeftAndOnlyBasicOperatorsAdded() {
        long layerNorms = count(fused, "LayerNormalization");
        assertTrue(layerNorms > 0);
        assertEquals(0, count(decomposed, "LayerNormalization"));
        assertEquals(count(fused, "ReduceMean") + 2 * layerNorms, count(decomposed, "ReduceMean"));
        assertEquals(count(fused, "Sqrt") + layerNorms, count(decomposed, "Sqrt"));
        Set<String> added = new TreeSet<>();
        decomposed.getGraph().getNodeList().forEach(n -> added.add(n.getOpType()));
        fused.getGraph().getNodeList().forEach(n -> added.remove(n.getOpType()));
        assertTrue(Set.of("Sqrt", "Sub", "ReduceMean", "Mul", "Add", "Div").containsAll(added), "added " + added);
        assertEquals(fused.getGraph().getOutputList(), decomposed.getGraph().getOutputList());
        assertTrue(decomposed.getMetadataPropsList().stream()
                .anyMatch(p -> p.getKey().equals(LayerNormDecomposition.STYLE_KEY) && p.getValue().equals("decomposed")));
    }

    @Test
    void decomposedGivesTheFusedOutputsAndTheReference() throws Exception {
        Map<String, OrtRun.Output> a = run(fused, "fused");
        Map<String, OrtRun.Output> b = run(decomposed, "decomposed");
        assertEquals(a.keySet(), b.keySet());
        for (String name : a.keySet()) {
            Fixtures.assertClose("decomposed vs fused LayerNorm (fp32) " + name, b.get(name).values(), a.get(name).values(), 1e-5);
        }
        Fixtures.assertClose("decomposed vs reference zero_map", b.get(MvfaGraphNames.ZERO_MAP).values(),
                fx.batchOf("zero_Brain_pixel_map"), 1e-4);
        Fixtures.assertClose("decomposed vs reference few_map", b.get(MvfaGraphNames.FEW_MAP).values(),
                fx.batchOf("few_seg_map"), 1e-4);
    }

    @Test
    void fp16DecomposedKeepsItsNormsInFloat32AndStaysWithin1e2() throws Exception {
        ModelProto half = LayerNormDecomposition.apply(HalfPrecisionGraph.convert(fused));
        assertEquals(0, count(half, "LayerNormalization"));
        half.getGraph().getInitializerList().stream().filter(t -> t.getName().startsWith("ln_epsilon"))
                .forEach(t -> assertEquals(DataType.FLOAT.getNumber(), t.getDataType(), "epsilon of a float32 norm"));
        Path file = tmp.resolve("fp16-decomposed/model.onnx");
        OnnxModelFiles.write(half, file, ExternalDataPolicy.automatic());
        OnnxChecker.check(file);
        Map<String, OrtRun.Output> a = run(fused, "fused-for-fp16");
        Map<String, OrtRun.Output> b;
        try (OrtRun ort = new OrtRun(file)) {
            b = ort.run(MvfaGraphNames.IMAGE, fx.batchOf("input"), fx.images, 3, fx.imageSize, fx.imageSize);
        }
        for (String name : a.keySet()) {
            Fixtures.assertClose("fp16 decomposed vs fp32 fused " + name, b.get(name).values(), a.get(name).values(), 1e-2);
        }
    }

    @Test
    void onnxCheckerAcceptsTheDecomposedModel() throws Exception {
        Path file = tmp.resolve("checked/model.onnx");
        OnnxModelFiles.write(decomposed, file, ExternalDataPolicy.automatic());
        OnnxChecker.check(file);
    }

    @Test
    void aLayerNormOverAnotherAxisIsRefused() {
        OnnxGraph g = new OnnxGraph("ln");
        String x = g.input("x", DataType.FLOAT, "N", 4);
        String s = g.initializer("s", new long[] {4}, new float[] {1, 1, 1, 1});
        String b = g.initializer("b", new long[] {4}, new float[] {0, 0, 0, 0});
        String y = g.op("LayerNormalization", java.util.List.of(x, s, b), OnnxAttributes.i("axis", 0));
        g.output(g.rename(y, "y"), DataType.FLOAT, "N", 4);
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> LayerNormDecomposition.apply(g.toModel("t", "1", Map.of())));
        assertTrue(e.getMessage().contains("axis 0"), e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }
}
