package org.mvfaedge.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.nio.file.Path;
import java.util.HashMap;
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
import org.mvfaedge.sdk.onnx.OnnxModelFiles;
import org.mvfaedge.sdk.onnx.OnnxTensors;
import org.mvfaedge.sdk.testing.Fixtures;

/**
 * The fp16 variant of the tiny-a fixture's few-shot graph: in ONNX Runtime (CPU) every output stays
 * within 1e-2 of the fp32 graph and of the reference's numbers; the interface is still float32; the
 * weights are float16 while LayerNormalization, Softmax and the heads read float32; onnx.checker
 * accepts it.
 */
class HalfPrecisionGraphTest {
    private static final double TOL = 1e-2;

    @TempDir
    static Path tmp;

    private static FixtureGraphs graphs;
    private static Path fixture;
    private static int imageSize;
    private static int[] features;
    private static ModelProto fp32;
    private static ModelProto fp16;
    private static Path fp32File;
    private static Path fp16File;

    @BeforeAll
    static void export() throws Exception {
        FixtureGraphs fx = new FixtureGraphs();
        graphs = fx;
        fixture = fx.fixture;
        imageSize = fx.imageSize;
        features = fx.features;
        fp32 = fx.brainFewShot();
        fp16 = HalfPrecisionGraph.convert(fp32);
        fp32File = tmp.resolve("fp32/model.onnx");
        fp16File = tmp.resolve("fp16/model.onnx");
        OnnxModelFiles.write(fp32, fp32File, ExternalDataPolicy.automatic());
        OnnxModelFiles.write(fp16, fp16File, ExternalDataPolicy.automatic());
    }

    private static float[] batchOf(String file) {
        return graphs.batchOf(file);
    }

    @Test
    void everyOutputIsWithin1e2OfTheFp32GraphAndTheReference() throws Exception {
        float[] images = batchOf("input");
        Map<String, OrtRun.Output> half;
        Map<String, OrtRun.Output> full;
        try (OrtRun a = new OrtRun(fp16File); OrtRun b = new OrtRun(fp32File)) {
            half = a.run(MvfaGraphNames.IMAGE, images, graphs.images, 3, imageSize, imageSize);
            full = b.run(MvfaGraphNames.IMAGE, images, graphs.images, 3, imageSize, imageSize);
        }
        assertEquals(full.keySet(), half.keySet());
        Map<String, String> reference = new HashMap<>();
        reference.put(MvfaGraphNames.ZERO_MAP, "zero_Brain_pixel_map");
        reference.put(MvfaGraphNames.ZERO_SCORE, "zero_Brain_image_score");
        reference.put(MvfaGraphNames.FEW_MAP, "few_seg_map");
        reference.put(MvfaGraphNames.FEW_SCORE, "few_det_score");
        for (int k = 0; k < features.length; k++) {
            reference.put(MvfaGraphNames.segTokens(k), "seg_tokens_level" + k);
            reference.put(MvfaGraphNames.detTokens(k), "det_tokens_level" + k);
        }
        double largest = 0;
        for (String name : full.keySet()) {
            float[] h = half.get(name).values();
            largest = Math.max(largest, Fixtures.maxAbsDiff(h, full.get(name).values()));
            Fixtures.assertClose("fp16 vs fp32 graph (ORT CPU) " + name, h, full.get(name).values(), TOL);
            Fixtures.assertClose("fp16 graph vs reference " + name, h, batchOf(reference.get(name)), TOL);
        }
        // The half graph must really round: identical outputs would mean nothing was converted.
        assertTrue(largest > 1e-6, "fp16 outputs equal the fp32 ones to " + largest + ": was the graph converted?");
    }

    @Test
    void interfaceStaysFloat32AndWeightsAreHalf() {
        assertEquals(Precision.FP16, HalfPrecisionGraph.precisionOf(fp16));
        assertEquals(Precision.FP32, HalfPrecisionGraph.precisionOf(fp32));
        assertEquals(fp32.getGraph().getInputList(), fp16.getGraph().getInputList());
        assertEquals(fp32.getGraph().getOutputList(), fp16.getGraph().getOutputList());
        assertEquals(DataType.FLOAT.getNumber(), fp16.getGraph().getInput(0).getType().getTensorType().getElemType());

        Map<String, TensorProto> inits = new HashMap<>();
        fp16.getGraph().getInitializerList().forEach(t -> inits.put(t.getName(), t));
        Map<String, NodeProto> producer = new HashMap<>();
        fp16.getGraph().getNodeList().forEach(n -> n.getOutputList().forEach(o -> producer.put(o, n)));
        int halfMatMuls = 0;
        for (NodeProto n : fp16.getGraph().getNodeList()) {
            switch (n.getOpType()) {
                case "LayerNormalization", "Softmax" -> {
                    for (String in : n.getInputList()) {
                        assertEquals(DataType.FLOAT, typeOf(in, inits, producer), n.getOpType() + " input " + in);
                    }
                }
                case "Conv" -> assertEquals(DataType.FLOAT16, typeOf(n.getInput(1), inits, producer), "conv1 weight");
                case "MatMul" -> {
                    if (n.getInput(1).equals("text_features")) {
                        // Zero-shot logits: part of the float32 heads, on float32 normalised tokens.
                        assertEquals(DataType.FLOAT, typeOf(n.getInput(1), inits, producer), "text features");
                        assertEquals(DataType.FLOAT, typeOf(n.getInput(0), inits, producer), "text logits' tokens");
                    } else if (inits.containsKey(n.getInput(1))) {
                        assertEquals(DataType.FLOAT16, typeOf(n.getInput(1), inits, producer), "weight " + n.getInput(1));
                        halfMatMuls++;
                    }
                }
                case "Gemm" -> {
                    // The few-shot similarity: float32 bank rows against float32 normalised tokens.
                    assertEquals(DataType.FLOAT, typeOf(n.getInput(1), inits, producer), "bank " + n.getInput(1));
                    assertEquals(DataType.FLOAT, typeOf(n.getInput(0), inits, producer), "bank query");
                }
                default -> {
                }
            }
        }
        assertTrue(halfMatMuls > 0);
        for (int k = 0; k < features.length; k++) {
            assertEquals(DataType.FLOAT.getNumber(), inits.get(MvfaGraphNames.segMemory(k)).getDataType());
            assertEquals(DataType.FLOAT.getNumber(), inits.get(MvfaGraphNames.detMemory(k)).getDataType());
        }
        long full = fp32.getGraph().getInitializerList().stream().mapToLong(OnnxTensors::dataBytes).sum();
        long bank = fp32.getGraph().getInitializerList().stream().filter(t -> t.getName().contains("memory"))
                .mapToLong(OnnxTensors::dataBytes).sum();
        long half = fp16.getGraph().getInitializerList().stream().mapToLong(OnnxTensors::dataBytes).sum();
        System.out.printf("initializer bytes: fp32 %,d, fp16 %,d (memory bank %,d stays float32)%n", full, half, bank);
        assertTrue(half - bank < 0.55 * (full - bank), "the weights besides the bank should about halve");

        Set<String> ops = new TreeSet<>();
        fp16.getGraph().getNodeList().forEach(n -> ops.add(n.getOpType()));
        Set<String> added = new TreeSet<>(ops);
        Set<String> before = new TreeSet<>();
        fp32.getGraph().getNodeList().forEach(n -> before.add(n.getOpType()));
        added.removeAll(before);
        assertEquals(Set.of("Cast"), added, "fp16 adds only Cast (which TensorRT parses) to the operator set");
    }

    /** The element type of a value: an initializer's, a Cast's target, or float32 for other float producers. */
    private static DataType typeOf(String value, Map<String, TensorProto> inits, Map<String, NodeProto> producer) {
        if (inits.containsKey(value)) {
            return DataType.forNumber(inits.get(value).getDataType());
        }
        NodeProto p = producer.get(value);
        if (p != null && p.getOpType().equals("Cast")) {
            return DataType.forNumber((int) p.getAttribute(0).getI());
        }
        if (p != null && Set.of("LayerNormalization", "Softmax").contains(p.getOpType())) {
            return typeOf(p.getInput(0), inits, producer);
        }
        if (p != null && p.getInputCount() > 0) {
            return typeOf(p.getInput(0), inits, producer);
        }
        return DataType.FLOAT; // the graph input
    }

    @Test
    void onnxCheckerAcceptsTheFp16Model() throws Exception {
        OnnxChecker.check(fp16File);
    }

    @Test
    void convertingTwiceOrANonMvfaGraphIsRefused() {
        OnnxFormatException twice = assertThrows(OnnxFormatException.class, () -> HalfPrecisionGraph.convert(fp16));
        assertTrue(twice.getMessage().contains("already float16"), twice.getMessage());

        OnnxGraph g = new OnnxGraph("plain");
        String x = g.input("x", DataType.FLOAT, "N", 4);
        g.output(g.rename(g.op("Relu", x), "y"), DataType.FLOAT, "N", 4);
        OnnxFormatException plain = assertThrows(OnnxFormatException.class,
                () -> HalfPrecisionGraph.convert(g.toModel("t", "1", Map.of())));
        assertTrue(plain.getMessage().contains("adapter tokens"), plain.getMessage());
    }

    @Test
    void aWeightBeyondFloat16RangeIsATypedError() {
        OnnxGraph g = new OnnxGraph("big");
        String x = g.input("x", DataType.FLOAT, "N", 2);
        String w = g.initializer("big_weight", new long[] {2, 2}, new float[] {1f, 70000f, 0f, 1f});
        g.output(g.rename(g.op("LeakyRelu", g.op("MatMul", x, w)), "y"), DataType.FLOAT, "N", 2);
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> HalfPrecisionGraph.convert(g.toModel("t", "1", Map.of())));
        assertTrue(e.getMessage().contains("big_weight") && e.getMessage().contains("--precision fp32"), e.getMessage());
    }
}
