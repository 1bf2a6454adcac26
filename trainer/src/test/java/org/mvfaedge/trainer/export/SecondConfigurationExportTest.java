package org.mvfaedge.trainer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.onnx.ExternalDataPolicy;
import org.mvfaedge.sdk.onnx.MvfaGraphNames;
import org.mvfaedge.sdk.onnx.OnnxModelFiles;
import org.mvfaedge.sdk.onnx.OnnxTensors;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.weights.AdapterCheckpoint;
import org.mvfaedge.trainer.weights.AdapterWeights;
import org.mvfaedge.trainer.weights.CheckpointException;
import org.mvfaedge.trainer.weights.HostTensor;
import org.mvfaedge.trainer.weights.StateDict;
import org.mvfaedge.trainer.weights.TorchCheckpoint;

/**
 * Generality: a configuration unlike the fixture's (width 192 = 3 heads, 3 layers, patch 8, S 36 with
 * 4 unseen pixels, adapters after layers 1 and 3, bottleneck 48, QuickGELU), from random weights,
 * against an independent double-precision transcription of the reference; and the external-data path
 * on it.
 */
class SecondConfigurationExportTest {
    private static final double TOL = 1e-4;
    private static final int WIDTH = 192;
    private static final int LAYERS = 3;
    private static final int PATCH = 8;
    private static final int SIZE = 36;
    private static final int[] FEATURES = {1, 3};
    private static final int BOTTLENECK = 48;
    private static final int BATCH = 2;

    @TempDir
    Path tmp;

    private final Random rnd = new Random(20240617);

    @Test
    void referenceTranscriptionReproducesTheFixture() {
        FixtureConfig cfg = FixtureConfig.get();
        Path f = cfg.dir();
        StateDict clip = OnnxModelWriterFixtureTest.withResizedPositions(TorchCheckpoint.read(f.resolve("clip/clip-torchscript.pt")),
                f.resolve("clip/positional_embedding_resized.npy"));
        AdapterWeights adapters = AdapterCheckpoint.read(f.resolve("adapters/initial.pth"));
        int[] features = cfg.features();
        int last = features.length - 1;
        ReferenceForward ref = new ReferenceForward(clip, adapters, cfg.imgSize(), features,
                Activation.parse(cfg.activation()));
        float[] image = cfg.input(0);
        ReferenceForward.Tokens tk = ref.tokens(image);
        Fixtures.assertClose("java reference img0 seg_tokens_level" + last, ReferenceForward.flatten(tk.seg()[last]),
                Fixtures.npy(f.resolve("forward/img0/seg_tokens_level" + last + ".npy")).floats(), TOL);
        float[] text = Fixtures.npy(f.resolve("text/text_features_Brain.npy")).floats();
        Fixtures.assertClose("java reference img0 zero_Brain_pixel_map", ReferenceForward.toFloats(ref.zeroMap(tk, text)),
                Fixtures.npy(f.resolve("forward/img0/zero_Brain_pixel_map.npy")).floats(), TOL);
        float[][] bank = new float[features.length][];
        for (int k = 0; k < features.length; k++) {
            bank[k] = Fixtures.npy(f.resolve("memory/seg_level" + k + ".npy")).floats();
        }
        Fixtures.assertClose("java reference img0 few_seg_map",
                ReferenceForward.toFloats(ref.fewMap(tk.seg(), bank, cfg.bottleneck())),
                Fixtures.npy(f.resolve("forward/img0/few_seg_map.npy")).floats(), TOL);
    }

    @Test
    void randomConfigurationMatchesTheReferenceTranscription() throws Exception {
        StateDict clip = randomClip();
        AdapterWeights adapters = randomAdapters();
        // Small text features keep 100 * cos in softmax's sensitive range, so the maps are not all 0 or 1.
        HostTensor text = randomTensor(0.01, BOTTLENECK, 2);
        ReferenceForward ref = new ReferenceForward(clip, adapters, SIZE, FEATURES, Activation.QUICK_GELU);
        // Bank: every token of one other image, as the reference builds it (CLS included).
        ReferenceForward.Tokens support = ref.tokens(randomImage());
        List<HostTensor> seg = new ArrayList<>();
        List<HostTensor> det = new ArrayList<>();
        int tokens = 1 + (SIZE / PATCH) * (SIZE / PATCH);
        for (int k = 0; k < FEATURES.length; k++) {
            seg.add(HostTensor.ofFloats(new long[] {tokens, BOTTLENECK}, ReferenceForward.flatten(support.seg()[k])));
            det.add(HostTensor.ofFloats(new long[] {tokens, BOTTLENECK}, ReferenceForward.flatten(support.det()[k])));
        }
        ExportOptions options = new ExportOptions(SIZE, FEATURES, Activation.QUICK_GELU, text, new MemoryBankRows(seg, det), true);
        Path model = tmp.resolve("model.onnx");
        OnnxModelWriter.write(clip, adapters, options, model, ExternalDataPolicy.automatic());

        float[][] images = {randomImage(), randomImage()};
        float[] batch = new float[BATCH * 3 * SIZE * SIZE];
        for (int b = 0; b < BATCH; b++) {
            System.arraycopy(images[b], 0, batch, b * images[b].length, images[b].length);
        }
        try (OrtRun ort = new OrtRun(model)) {
            Map<String, OrtRun.Output> out = ort.run(MvfaGraphNames.IMAGE, batch, BATCH, 3, SIZE, SIZE);
            assertArrayEquals(new long[] {BATCH, SIZE, SIZE}, out.get(MvfaGraphNames.ZERO_MAP).shape());
            assertArrayEquals(new long[] {BATCH}, out.get(MvfaGraphNames.ZERO_SCORE).shape());
            assertArrayEquals(new long[] {BATCH, SIZE, SIZE}, out.get(MvfaGraphNames.FEW_MAP).shape());
            assertArrayEquals(new long[] {BATCH}, out.get(MvfaGraphNames.FEW_SCORE).shape());
            for (int k = 0; k < FEATURES.length; k++) {
                assertArrayEquals(new long[] {BATCH, tokens, BOTTLENECK}, out.get(MvfaGraphNames.segTokens(k)).shape());
                assertArrayEquals(new long[] {BATCH, tokens, BOTTLENECK}, out.get(MvfaGraphNames.detTokens(k)).shape());
            }
            float[][] banks = new float[FEATURES.length][];
            float[][] detBanks = new float[FEATURES.length][];
            for (int k = 0; k < FEATURES.length; k++) {
                banks[k] = seg.get(k).floats();
                detBanks[k] = det.get(k).floats();
            }
            for (int b = 0; b < BATCH; b++) {
                ReferenceForward.Tokens tk = ref.tokens(images[b]);
                int mapLen = SIZE * SIZE;
                String tag = "second config img" + b + " ";
                Fixtures.assertClose(tag + "seg_tokens_1", slice(out.get(MvfaGraphNames.segTokens(1)).values(), b, BATCH),
                        ReferenceForward.flatten(tk.seg()[1]), TOL);
                float[] zeroMap = slice(out.get(MvfaGraphNames.ZERO_MAP).values(), b, BATCH);
                Fixtures.assertClose(tag + "zero_map", zeroMap, ReferenceForward.toFloats(ref.zeroMap(tk, text.floats())), TOL);
                assertTrue(range(zeroMap) > 0.05, "zero map saturated (range " + range(zeroMap) + "): the test would not "
                        + "see a wrong softmax");
                Fixtures.assertClose(tag + "zero_score", new float[] {out.get(MvfaGraphNames.ZERO_SCORE).values()[b]},
                        new float[] {(float) ref.zeroScore(tk, text.floats())}, TOL);
                Fixtures.assertClose(tag + "few_map", slice(out.get(MvfaGraphNames.FEW_MAP).values(), b, BATCH),
                        ReferenceForward.toFloats(ref.fewMap(tk.seg(), banks, BOTTLENECK)), TOL);
                double[] detMap = ref.fewMap(tk.det(), detBanks, BOTTLENECK);
                Fixtures.assertClose(tag + "few_score", new float[] {out.get(MvfaGraphNames.FEW_SCORE).values()[b]},
                        new float[] {(float) (Arrays.stream(detMap).sum() / mapLen)}, TOL);
            }
        }
    }

    @Test
    void singleLevelBeforeTheLastLayerMatchesTheReference() throws Exception {
        // One level, tapped before the end: no sums over levels, and the layers after it are not needed.
        int[] features = {2};
        StateDict clip = randomClip();
        AdapterWeights adapters = randomAdapters(features.length);
        HostTensor text = randomTensor(0.01, BOTTLENECK, 2);
        ReferenceForward ref = new ReferenceForward(clip, adapters, SIZE, features, Activation.GELU);
        ReferenceForward.Tokens support = ref.tokens(randomImage());
        int tokens = 1 + (SIZE / PATCH) * (SIZE / PATCH);
        HostTensor segBank = HostTensor.ofFloats(new long[] {tokens, BOTTLENECK}, ReferenceForward.flatten(support.seg()[0]));
        HostTensor detBank = HostTensor.ofFloats(new long[] {tokens, BOTTLENECK}, ReferenceForward.flatten(support.det()[0]));
        ExportOptions options = new ExportOptions(SIZE, features, Activation.GELU, text,
                new MemoryBankRows(List.of(segBank), List.of(detBank)), false);
        Path model = tmp.resolve("single/model.onnx");
        OnnxModelWriter.write(clip, adapters, options, model, ExternalDataPolicy.automatic());
        float[] image = randomImage();
        ReferenceForward.Tokens tk = ref.tokens(image);
        try (OrtRun ort = new OrtRun(model)) {
            Map<String, OrtRun.Output> out = ort.run(MvfaGraphNames.IMAGE, image, 1, 3, SIZE, SIZE);
            Fixtures.assertClose("single level zero_map", out.get(MvfaGraphNames.ZERO_MAP).values(),
                    ReferenceForward.toFloats(ref.zeroMap(tk, text.floats())), TOL);
            assertTrue(range(out.get(MvfaGraphNames.ZERO_MAP).values()) > 0.05, "zero map saturated");
            assertTrue(range(out.get(MvfaGraphNames.FEW_MAP).values()) > 0.01, "few map flat");
            Fixtures.assertClose("single level zero_score", out.get(MvfaGraphNames.ZERO_SCORE).values(),
                    new float[] {(float) ref.zeroScore(tk, text.floats())}, TOL);
            Fixtures.assertClose("single level few_map", out.get(MvfaGraphNames.FEW_MAP).values(),
                    ReferenceForward.toFloats(ref.fewMap(tk.seg(), new float[][] {segBank.floats()}, BOTTLENECK)), TOL);
            double[] detMap = ref.fewMap(tk.det(), new float[][] {detBank.floats()}, BOTTLENECK);
            Fixtures.assertClose("single level few_score", out.get(MvfaGraphNames.FEW_SCORE).values(),
                    new float[] {(float) (Arrays.stream(detMap).sum() / detMap.length)}, TOL);
        }
    }

    @Test
    void externalDataRoundTripsAndRunsIdentically() throws Exception {
        StateDict clip = randomClip();
        AdapterWeights adapters = randomAdapters();
        ExportOptions options = new ExportOptions(SIZE, FEATURES, Activation.GELU, randomTensor(0.2, BOTTLENECK, 2), null, false);
        ModelProto inMemory = OnnxModelWriter.model(clip, adapters, options);
        Path inline = tmp.resolve("inline/model.onnx");
        Path external = tmp.resolve("external/model.onnx");
        OnnxModelFiles.write(inMemory, inline, ExternalDataPolicy.automatic());
        // A tiny threshold forces what a ViT-L/14 export does above 1 GB.
        OnnxModelFiles.write(inMemory, external, ExternalDataPolicy.always(1024));
        Path data = OnnxModelFiles.dataFileFor(external);
        assertTrue(Files.isRegularFile(data), "external data file written beside the model");
        long modelBytes = Files.size(external);
        System.out.printf("external data: model.onnx %d bytes, model.onnx.data %d bytes (inline model %d bytes)%n",
                modelBytes, Files.size(data), Files.size(inline));
        assertTrue(modelBytes < Files.size(data) / 10, "weights moved out of model.onnx");

        ModelProto onDisk = ModelProto.parseFrom(Files.readAllBytes(external));
        int externalTensors = 0;
        for (TensorProto t : onDisk.getGraph().getInitializerList()) {
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                externalTensors++;
                Map<String, String> e = new LinkedHashMap<>();
                t.getExternalDataList().forEach(kv -> e.put(kv.getKey(), kv.getValue()));
                assertEquals("model.onnx.data", e.get("location"));
                assertEquals(0, Long.parseLong(e.get("offset")) % OnnxModelFiles.DATA_ALIGNMENT, t.getName());
                assertTrue(Long.parseLong(e.get("length")) >= 1024, t.getName());
            } else {
                assertTrue(OnnxTensors.dataBytes(t) < 1024, t.getName() + " should have gone to the data file");
            }
        }
        assertTrue(externalTensors > 0);

        // Reading brings every tensor back inline, byte for byte.
        ModelProto back = OnnxModelFiles.read(external);
        assertEquals(inMemory.getGraph().getInitializerCount(), back.getGraph().getInitializerCount());
        for (int i = 0; i < inMemory.getGraph().getInitializerCount(); i++) {
            assertEquals(inMemory.getGraph().getInitializer(i), back.getGraph().getInitializer(i));
        }

        float[] image = randomImage();
        try (OrtRun a = new OrtRun(inline); OrtRun b = new OrtRun(external)) {
            Map<String, OrtRun.Output> ra = a.run(MvfaGraphNames.IMAGE, image, 1, 3, SIZE, SIZE);
            Map<String, OrtRun.Output> rb = b.run(MvfaGraphNames.IMAGE, image, 1, 3, SIZE, SIZE);
            assertArrayEquals(ra.get(MvfaGraphNames.ZERO_MAP).values(), rb.get(MvfaGraphNames.ZERO_MAP).values());
            assertArrayEquals(ra.get(MvfaGraphNames.ZERO_SCORE).values(), rb.get(MvfaGraphNames.ZERO_SCORE).values());
        }
        OnnxChecker.check(external);

        // Writing the model inline again over the external one removes the stale data file.
        OnnxModelFiles.write(back, external, ExternalDataPolicy.never());
        assertTrue(Files.notExists(data), "stale model.onnx.data removed");
        try (OrtRun c = new OrtRun(external)) {
            assertArrayEquals(new long[] {1, SIZE, SIZE},
                    c.run(MvfaGraphNames.IMAGE, image, 1, 3, SIZE, SIZE).get(MvfaGraphNames.ZERO_MAP).shape());
        }
    }

    @Test
    void refusesMismatchedInputsWithMessagesThatSayWhatToFix() {
        StateDict clip = randomClip();
        AdapterWeights adapters = randomAdapters();
        HostTensor text = randomTensor(0.2, BOTTLENECK, 2);
        var unresized = new ExportOptions(SIZE + PATCH, FEATURES, Activation.GELU, text, null, false);
        CheckpointException e = assertThrows(CheckpointException.class, () -> OnnxModelWriter.graph(clip, adapters, unresized));
        assertTrue(e.getMessage().contains("resize the table"), e.getMessage());
        var deep = new ExportOptions(SIZE, new int[] {1, LAYERS + 1}, Activation.GELU, text, null, false);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OnnxModelWriter.graph(clip, adapters, deep))
                .getMessage().contains("outside 1.." + LAYERS));
        var unsorted = new ExportOptions(SIZE, new int[] {3, 1}, Activation.GELU, text, null, false);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OnnxModelWriter.graph(clip, adapters, unsorted))
                .getMessage().contains("increasing"));
        var wrongText = new ExportOptions(SIZE, FEATURES, Activation.GELU, randomTensor(0.2, BOTTLENECK + 1, 2), null, false);
        assertThrows(CheckpointException.class, () -> OnnxModelWriter.graph(clip, adapters, wrongText));
    }

    private static double range(float[] v) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (float x : v) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        return hi - lo;
    }

    private static float[] slice(float[] all, int b, int batch) {
        int n = all.length / batch;
        return Arrays.copyOfRange(all, b * n, (b + 1) * n);
    }

    private float[] randomImage() {
        float[] img = new float[3 * SIZE * SIZE];
        for (int i = 0; i < img.length; i++) {
            img[i] = rnd.nextFloat();
        }
        return img;
    }

    private HostTensor randomTensor(double scale, long... shape) {
        float[] v = new float[(int) HostTensor.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * scale);
        }
        return HostTensor.ofFloats(shape, v);
    }

    private HostTensor ones(double jitter, long n) {
        HostTensor t = randomTensor(jitter, n);
        float[] v = t.floats();
        for (int i = 0; i < v.length; i++) {
            v[i] += 1;
        }
        return t;
    }

    private StateDict randomClip() {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        int tokens = 1 + (SIZE / PATCH) * (SIZE / PATCH);
        m.put("visual.conv1.weight", randomTensor(0.05, WIDTH, 3, PATCH, PATCH));
        m.put("visual.class_embedding", randomTensor(0.5, WIDTH));
        m.put("visual.positional_embedding", randomTensor(0.5, tokens, WIDTH));
        m.put("visual.ln_pre.weight", ones(0.1, WIDTH));
        m.put("visual.ln_pre.bias", randomTensor(0.1, WIDTH));
        for (int i = 0; i < LAYERS; i++) {
            String p = "visual.transformer.resblocks." + i + ".";
            m.put(p + "ln_1.weight", ones(0.1, WIDTH));
            m.put(p + "ln_1.bias", randomTensor(0.1, WIDTH));
            m.put(p + "attn.in_proj_weight", randomTensor(0.15, 3 * WIDTH, WIDTH));
            m.put(p + "attn.in_proj_bias", randomTensor(0.1, 3 * WIDTH));
            m.put(p + "attn.out_proj.weight", randomTensor(0.07, WIDTH, WIDTH));
            m.put(p + "attn.out_proj.bias", randomTensor(0.1, WIDTH));
            m.put(p + "ln_2.weight", ones(0.1, WIDTH));
            m.put(p + "ln_2.bias", randomTensor(0.1, WIDTH));
            m.put(p + "mlp.c_fc.weight", randomTensor(0.07, 4 * WIDTH, WIDTH));
            m.put(p + "mlp.c_fc.bias", randomTensor(0.1, 4 * WIDTH));
            m.put(p + "mlp.c_proj.weight", randomTensor(0.04, WIDTH, 4 * WIDTH));
            m.put(p + "mlp.c_proj.bias", randomTensor(0.1, WIDTH));
        }
        return new StateDict(Path.of("random-clip"), m);
    }

    private AdapterWeights randomAdapters() {
        return randomAdapters(FEATURES.length);
    }

    private AdapterWeights randomAdapters(int levels) {
        List<StateDict> branches = new ArrayList<>();
        for (String branch : List.of("seg", "det")) {
            Map<String, HostTensor> m = new LinkedHashMap<>();
            for (int k = 0; k < levels; k++) {
                m.put(k + ".fc1.0.weight", randomTensor(0.07, BOTTLENECK, WIDTH));
                m.put(k + ".fc2.0.weight", randomTensor(0.15, WIDTH, BOTTLENECK));
            }
            branches.add(new StateDict(Path.of("random-adapters-" + branch), m));
        }
        return new AdapterWeights(branches.get(0), branches.get(1));
    }
}
