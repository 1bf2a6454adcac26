package org.mvfaedge.trainer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.onnx.ExternalDataPolicy;
import org.mvfaedge.sdk.onnx.MvfaGraphNames;
import org.mvfaedge.sdk.onnx.OnnxGraph;
import org.mvfaedge.sdk.onnx.OnnxModelEdits;
import org.mvfaedge.sdk.onnx.OnnxModelFiles;
import org.mvfaedge.sdk.onnx.OnnxTensors;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.sdk.testing.Npy;
import org.mvfaedge.trainer.heads.MemoryBank;
import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.weights.AdapterCheckpoint;
import org.mvfaedge.trainer.weights.AdapterWeights;
import org.mvfaedge.trainer.weights.ClipWeights;
import org.mvfaedge.trainer.weights.HostTensor;
import org.mvfaedge.trainer.weights.StateDict;
import org.mvfaedge.trainer.weights.TorchCheckpoint;

/**
 * The exported graph, run in ONNX Runtime, reproduces the reference's forward outputs on the golden
 * fixture: zero-shot maps and scores for Brain and Chest, few-shot map and score, and the level
 * tokens, for a batch of all forward images and for each image alone (dynamic batch).
 */
class OnnxModelWriterFixtureTest {
    private static final double TOL = 1e-4;
    /** Operators TensorRT's ONNX parser accepts, from the project's list (plus Max, an elementwise op it supports). */
    private static final Set<String> TENSORRT_OPS = Set.of("Conv", "MatMul", "Gemm", "Add", "Mul", "Div", "Sub", "Erf",
            "Sigmoid", "LayerNormalization", "Softmax", "LeakyRelu", "Resize", "ReduceMax", "ReduceMean", "ReduceSum",
            "ReduceL2", "Sqrt", "ReduceSumSquare", "Reshape", "Transpose", "Concat", "Slice", "Gather", "Expand", "Shape",
            "Unsqueeze", "Squeeze", "Max");

    @TempDir
    static Path tmp;

    private static Path fixture;
    private static StateDict clip;
    private static AdapterWeights adapters;
    private static int imageSize;
    private static int[] features;
    /** Forward images of the fixture: the batch. */
    private static int images;
    private static Activation activation;
    private static Path brainModel;
    private static OnnxGraph brainGraph;

    @BeforeAll
    static void export() throws Exception {
        FixtureConfig cfg = FixtureConfig.get();
        fixture = cfg.dir();
        imageSize = cfg.imgSize();
        features = cfg.features();
        images = cfg.images();
        activation = Activation.parse(cfg.activation());
        clip = withResizedPositions(TorchCheckpoint.read(fixture.resolve("clip/clip-torchscript.pt")),
                fixture.resolve("clip/positional_embedding_resized.npy"));
        // The fixture's forward outputs (tokens, maps, and the memory bank) were computed with the initial
        // adapters; after_3_steps.pth (what evaluation uses) gives level-0 tokens 0.2 away.
        adapters = AdapterCheckpoint.read(fixture.resolve("adapters/initial.pth"));
        ExportOptions brain = new ExportOptions(imageSize, features, activation, text("Brain"), bank(), true);
        brainGraph = OnnxModelWriter.graph(clip, adapters, brain);
        brainModel = tmp.resolve("brain/model.onnx");
        OnnxModelWriter.write(clip, adapters, brain, brainModel, ExternalDataPolicy.automatic());
        System.out.println("op types: " + brainGraph.opTypes());
    }

    static StateDict withResizedPositions(StateDict clip, Path table) {
        Map<String, HostTensor> m = new LinkedHashMap<>(clip.asMap());
        m.put("visual.positional_embedding", tensor(Fixtures.npy(table)));
        return new StateDict(clip.source(), m);
    }

    static HostTensor tensor(Npy npy) {
        return HostTensor.ofFloats(npy.shape, npy.floats());
    }

    private static HostTensor text(String object) {
        return tensor(Fixtures.npy(fixture.resolve("text/text_features_" + object + ".npy")));
    }

    private static MemoryBankRows bank() {
        List<HostTensor> seg = new ArrayList<>();
        List<HostTensor> det = new ArrayList<>();
        for (int k = 0; k < features.length; k++) {
            seg.add(tensor(Fixtures.npy(fixture.resolve("memory/seg_level" + k + ".npy"))));
            det.add(tensor(Fixtures.npy(fixture.resolve("memory/det_level" + k + ".npy"))));
        }
        return new MemoryBankRows(seg, det);
    }

    /** The reference's input of an image, checked against fixture.json's img_size (the graph's input side). */
    private static float[] input(int img) {
        return FixtureConfig.get().input(img);
    }

    private static float[] expected(int img, String file) {
        return Fixtures.npy(fixture.resolve("forward/img" + img + "/" + file + ".npy")).floats();
    }

    /** Concatenates the reference arrays of several images, as a batched output lays them out. */
    private static float[] expectedBatch(String file) {
        List<float[]> parts = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            parts.add(expected(i, file));
        }
        return concat(parts);
    }

    private static float[] concat(List<float[]> parts) {
        int n = parts.stream().mapToInt(p -> p.length).sum();
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static void assertShape(OrtRun.Output o, long... shape) {
        assertArrayEquals(shape, o.shape());
    }

    @Test
    void brainBatchOfAllImagesMatchesTheReference() throws Exception {
        List<float[]> inputs = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            inputs.add(input(i));
        }
        try (OrtRun ort = new OrtRun(brainModel)) {
            Map<String, OrtRun.Output> out = ort.run(MvfaGraphNames.IMAGE, concat(inputs), images, 3, imageSize, imageSize);
            assertShape(out.get(MvfaGraphNames.ZERO_MAP), images, imageSize, imageSize);
            assertShape(out.get(MvfaGraphNames.ZERO_SCORE), images);
            assertShape(out.get(MvfaGraphNames.FEW_MAP), images, imageSize, imageSize);
            assertShape(out.get(MvfaGraphNames.FEW_SCORE), images);
            // Tokens first: a wrong backbone shows here before it shows in the maps.
            for (int k = 0; k < features.length; k++) {
                Fixtures.assertClose("onnx batch seg_tokens_level" + k, out.get(MvfaGraphNames.segTokens(k)).values(),
                        expectedBatch("seg_tokens_level" + k), TOL);
                Fixtures.assertClose("onnx batch det_tokens_level" + k, out.get(MvfaGraphNames.detTokens(k)).values(),
                        expectedBatch("det_tokens_level" + k), TOL);
            }
            Fixtures.assertClose("onnx batch zero_Brain_pixel_map", out.get(MvfaGraphNames.ZERO_MAP).values(),
                    expectedBatch("zero_Brain_pixel_map"), TOL);
            Fixtures.assertClose("onnx batch zero_Brain_image_score", out.get(MvfaGraphNames.ZERO_SCORE).values(),
                    expectedBatch("zero_Brain_image_score"), TOL);
            Fixtures.assertClose("onnx batch few_seg_map", out.get(MvfaGraphNames.FEW_MAP).values(),
                    expectedBatch("few_seg_map"), TOL);
            Fixtures.assertClose("onnx batch few_det_score", out.get(MvfaGraphNames.FEW_SCORE).values(),
                    expectedBatch("few_det_score"), TOL);
        }
    }

    @Test
    void brainOneImageAtATimeMatchesTheReference() throws Exception {
        try (OrtRun ort = new OrtRun(brainModel)) {
            for (int i = 0; i < images; i++) {
                Map<String, OrtRun.Output> out = ort.run(MvfaGraphNames.IMAGE, input(i), 1, 3, imageSize, imageSize);
                assertShape(out.get(MvfaGraphNames.ZERO_MAP), 1, imageSize, imageSize);
                Fixtures.assertClose("onnx img" + i + " zero_Brain_pixel_map", out.get(MvfaGraphNames.ZERO_MAP).values(),
                        expected(i, "zero_Brain_pixel_map"), TOL);
                Fixtures.assertClose("onnx img" + i + " zero_Brain_image_score",
                        out.get(MvfaGraphNames.ZERO_SCORE).values(), expected(i, "zero_Brain_image_score"), TOL);
                Fixtures.assertClose("onnx img" + i + " few_seg_map", out.get(MvfaGraphNames.FEW_MAP).values(),
                        expected(i, "few_seg_map"), TOL);
                Fixtures.assertClose("onnx img" + i + " few_det_score", out.get(MvfaGraphNames.FEW_SCORE).values(),
                        expected(i, "few_det_score"), TOL);
            }
        }
    }

    @Test
    void chestZeroShotGraphMatchesAndHasOnlyZeroShotOutputs() throws Exception {
        ExportOptions chest = new ExportOptions(imageSize, features, activation, text("Chest"), null, false);
        Path model = tmp.resolve("chest/model.onnx");
        OnnxModelWriter.write(clip, adapters, chest, model, ExternalDataPolicy.automatic());
        try (OrtRun ort = new OrtRun(model)) {
            assertEquals(Set.of(MvfaGraphNames.ZERO_MAP, MvfaGraphNames.ZERO_SCORE), ort.outputNames());
            for (int i = 0; i < images; i++) {
                Map<String, OrtRun.Output> out = ort.run(MvfaGraphNames.IMAGE, input(i), 1, 3, imageSize, imageSize);
                Fixtures.assertClose("onnx img" + i + " zero_Chest_pixel_map", out.get(MvfaGraphNames.ZERO_MAP).values(),
                        expected(i, "zero_Chest_pixel_map"), TOL);
                Fixtures.assertClose("onnx img" + i + " zero_Chest_image_score",
                        out.get(MvfaGraphNames.ZERO_SCORE).values(), expected(i, "zero_Chest_image_score"), TOL);
            }
        }
    }

    @Test
    void theOtherActivationIsNotWhatTheReferenceRan() throws Exception {
        // Guards the activation choice: the fixture's numbers must separate GELU from QuickGELU.
        Activation other = activation == Activation.GELU ? Activation.QUICK_GELU : Activation.GELU;
        ExportOptions quick = new ExportOptions(imageSize, features, other, text("Brain"), null, false);
        Path model = tmp.resolve("quick/model.onnx");
        OnnxModelWriter.write(clip, adapters, quick, model, ExternalDataPolicy.automatic());
        try (OrtRun ort = new OrtRun(model)) {
            float[] map = ort.run(MvfaGraphNames.IMAGE, input(0), 1, 3, imageSize, imageSize)
                    .get(MvfaGraphNames.ZERO_MAP).values();
            double d = Fixtures.maxAbsDiff(map, expected(0, "zero_Brain_pixel_map"));
            System.out.printf("%s vs reference zero map: max abs diff %.3e (must exceed tol)%n", other, d);
            assertTrue(d > TOL, other + " reproduced the " + activation + " reference: the activation is not being exported");
        }
    }

    @Test
    void modelIsSelfContainedOpset17AndUsesOnlyTensorRtOperators() {
        ModelProto m = OnnxModelFiles.read(brainModel);
        assertEquals(OnnxGraph.IR_VERSION, m.getIrVersion());
        assertEquals(OnnxGraph.OPSET, m.getOpsetImport(0).getVersion());
        assertEquals("", m.getOpsetImport(0).getDomain());
        assertFalse(Files.exists(OnnxModelFiles.dataFileFor(brainModel)), "a small model needs no external data");
        Set<String> used = new TreeSet<>();
        m.getGraph().getNodeList().forEach(n -> used.add(n.getOpType()));
        assertEquals(brainGraph.opTypes(), used);
        Set<String> outside = new TreeSet<>(used);
        outside.removeAll(TENSORRT_OPS);
        assertTrue(outside.isEmpty(), "operators outside the TensorRT list: " + outside);
        // The memory bank is stored under the names enrollment rewrites, rows unit-length.
        assertTrue(m.getGraph().getInitializerList().stream()
                .anyMatch(t -> t.getName().equals(MvfaGraphNames.segMemory(features.length - 1))));
    }

    @Test
    void bankRebuiltFromTheTokenOutputsIsWhatEnrollmentNeeds() throws Exception {
        // Enrollment path: take an image's token outputs as the whole bank (any row count), swap the
        // initializers, and that image must look perfectly normal to the few-shot head: every patch
        // finds itself, cosine 1, distance 0.
        ModelProto m = OnnxModelFiles.read(brainModel);
        try (OrtRun ort = new OrtRun(brainModel)) {
            Map<String, OrtRun.Output> out = ort.run(MvfaGraphNames.IMAGE, input(1), 1, 3, imageSize, imageSize);
            for (int k = 0; k < features.length; k++) {
                for (String branch : List.of("seg", "det")) {
                    boolean seg = branch.equals("seg");
                    OrtRun.Output tokens = out.get(seg ? MvfaGraphNames.segTokens(k) : MvfaGraphNames.detTokens(k));
                    long[] rows = {tokens.shape()[1], tokens.shape()[2]};
                    HostTensor bank = HostTensor.ofFloats(rows, tokens.values());
                    m = OnnxModelEdits.replaceInitializer(m, OnnxTensors.floats(
                            seg ? MvfaGraphNames.segMemory(k) : MvfaGraphNames.detMemory(k), rows,
                            MemoryBankRows.normalisedRows(bank)));
                }
            }
        }
        Path enrolled = tmp.resolve("enrolled/model.onnx");
        OnnxModelFiles.write(m, enrolled, ExternalDataPolicy.automatic());
        try (OrtRun ort = new OrtRun(enrolled)) {
            Map<String, OrtRun.Output> self = ort.run(MvfaGraphNames.IMAGE, input(1), 1, 3, imageSize, imageSize);
            Fixtures.assertClose("enrolled on img1, img1 few_map", self.get(MvfaGraphNames.FEW_MAP).values(),
                    new float[imageSize * imageSize], 1e-5);
            Fixtures.assertClose("enrolled on img1, img1 few_score", self.get(MvfaGraphNames.FEW_SCORE).values(),
                    new float[1], 1e-5);
            // Another image still differs from that bank, and the zero-shot outputs do not depend on it.
            Map<String, OrtRun.Output> other = ort.run(MvfaGraphNames.IMAGE, input(2), 1, 3, imageSize, imageSize);
            assertTrue(other.get(MvfaGraphNames.FEW_SCORE).values()[0] > 1e-3);
            Fixtures.assertClose("enrolled model img2 zero_Brain_pixel_map", other.get(MvfaGraphNames.ZERO_MAP).values(),
                    expected(2, "zero_Brain_pixel_map"), TOL);
        }
    }

    @Test
    void trainersMemoryBankConvertsToTheSameRows() {
        MemoryBankRows expected = bank();
        try (NDManager nd = NDManager.newBaseManager()) {
            List<NDArray> seg = new ArrayList<>();
            List<NDArray> det = new ArrayList<>();
            for (int k = 0; k < features.length; k++) {
                seg.add(nd.create(expected.seg().get(k).floats(), new Shape(expected.seg().get(k).shape())));
                det.add(nd.create(expected.det().get(k).floats(), new Shape(expected.det().get(k).shape())));
            }
            try (MemoryBank trainerBank = MemoryBank.fromRows(nd, seg, det)) {
                MemoryBankRows rows = MemoryBankRows.of(trainerBank);
                assertEquals(features.length, rows.levels());
                for (int k = 0; k < features.length; k++) {
                    assertArrayEquals(expected.seg().get(k).shape(), rows.seg().get(k).shape());
                    assertArrayEquals(expected.seg().get(k).floats(), rows.seg().get(k).floats());
                    assertArrayEquals(expected.det().get(k).floats(), rows.det().get(k).floats());
                }
            }
        }
    }

    @Test
    void loadedClipWithItsOwnPositionResizeExportsTheSameModel() throws Exception {
        StateDict visual = OnnxModelWriter.visualWeightsFor(ClipWeights.load(fixture.resolve("clip/clip.safetensors")),
                imageSize);
        assertTrue(visual.names().stream().allMatch(n -> n.startsWith("visual.")));
        Fixtures.assertClose("visualWeightsFor positional table vs fixture",
                visual.require("visual.positional_embedding").floats(),
                Fixtures.npy(fixture.resolve("clip/positional_embedding_resized.npy")).floats(), 1e-5);
        Path model = tmp.resolve("from-clip-weights/model.onnx");
        OnnxModelWriter.write(visual, adapters, new ExportOptions(imageSize, features, activation, text("Brain"),
                null, false), model, ExternalDataPolicy.automatic());
        try (OrtRun ort = new OrtRun(model)) {
            Fixtures.assertClose("onnx (ClipWeights path) img0 zero_Brain_pixel_map",
                    ort.run(MvfaGraphNames.IMAGE, input(0), 1, 3, imageSize, imageSize).get(MvfaGraphNames.ZERO_MAP).values(),
                    expected(0, "zero_Brain_pixel_map"), TOL);
        }
    }

    @Test
    void onnxCheckerAcceptsTheModel() throws Exception {
        OnnxChecker.check(brainModel);
    }
}
