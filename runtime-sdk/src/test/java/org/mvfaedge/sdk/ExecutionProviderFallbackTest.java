package org.mvfaedge.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.detect.SessionFactory;
import org.mvfaedge.sdk.testing.ToyPackages;

/**
 * The default build carries ONNX Runtime's CPU artifact, where TensorRT and CUDA cannot register. By
 * default the detector does not try them at all (nothing is logged about them); asked for them
 * explicitly, it must fall back to the CPU, say so, and log each provider's reason once.
 */
class ExecutionProviderFallbackTest {
    @TempDir
    static Path tmp;

    @BeforeAll
    static void pkg() throws Exception {
        ToyPackages.channelMean(tmp.resolve("toy"), 16, 0.5);
    }

    /** Runs {@code body} with System.err captured (slf4j-simple writes there, looked up per message). */
    private static String stderrOf(Runnable body) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(old);
        }
        String s = buf.toString(StandardCharsets.UTF_8);
        old.print(s);
        return s;
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    /** The default order is TensorRT, CUDA, CPU cut down to what the loaded build offers. */
    @Test
    void theDefaultOrderFollowsTheBuild() {
        OnnxRuntimeBuild cpu = new OnnxRuntimeBuild("onnxruntime", "1.23.2", null, null,
                java.util.EnumSet.of(ExecutionProvider.CPU), java.util.Set.of("CPU"));
        OnnxRuntimeBuild gpu = new OnnxRuntimeBuild("onnxruntime_gpu", "1.23.2", null, null,
                java.util.EnumSet.allOf(ExecutionProvider.class), java.util.Set.of("CPU", "CUDA", "TENSOR_RT"));
        OnnxRuntimeBuild cudaOnly = new OnnxRuntimeBuild("onnxruntime_gpu", "1.23.2", null, null,
                java.util.EnumSet.of(ExecutionProvider.CUDA, ExecutionProvider.CPU), java.util.Set.of("CPU", "CUDA"));
        DetectorOptions defaults = DetectorOptions.defaults();
        assertFalse(defaults.providersRequested());
        assertEquals(List.of(ExecutionProvider.CPU), SessionFactory.order(defaults, cpu));
        assertEquals(List.of(ExecutionProvider.TENSORRT, ExecutionProvider.CUDA, ExecutionProvider.CPU),
                SessionFactory.order(defaults, gpu));
        assertEquals(List.of(ExecutionProvider.CUDA, ExecutionProvider.CPU), SessionFactory.order(defaults, cudaOnly));
        // An explicit request is tried as given, even on a build without those providers.
        DetectorOptions asked = DetectorOptions.builder().providers(ExecutionProvider.CUDA, ExecutionProvider.CPU).build();
        assertTrue(asked.providersRequested());
        assertEquals(List.of(ExecutionProvider.CUDA, ExecutionProvider.CPU), SessionFactory.order(asked, cpu));
    }

    /** The CPU artifact this module is tested with: the default goes straight to the CPU, with no word of GPUs. */
    @Test
    void onTheCpuBuildTheDefaultSaysNothingAboutGpuProviders() {
        org.junit.jupiter.api.Assumptions.assumeFalse(SessionFactory.onnxRuntime().offers(ExecutionProvider.CUDA),
                "this ONNX Runtime offers CUDA: the CPU-build check does not apply");
        AnomalyDetector[] d = new AnomalyDetector[1];
        String log = stderrOf(() -> {
            d[0] = AnomalyDetector.open(tmp.resolve("toy"), DetectorOptions.defaults());
            d[0].detect(RawImage.grey8(new byte[64], 8, 8));
        });
        try (AnomalyDetector det = d[0]) {
            assertEquals(ExecutionProvider.CPU, det.executionProvider());
            assertEquals(List.of(), det.providerFailures());
        }
        assertEquals(0, count(log, " WARN "), log);
        for (String gpu : List.of("TENSORRT", "TensorRT", "CUDA")) {
            assertEquals(0, count(log, gpu), log);
        }
        assertEquals("onnxruntime", SessionFactory.onnxRuntime().artifact());
        assertTrue(SessionFactory.onnxRuntime().offers(ExecutionProvider.CPU));
    }

    @Test
    void requestedGpuProvidersFallBackToTheCpuAndLogEachReasonOnce() {
        AnomalyDetector[] d = new AnomalyDetector[1];
        String log = stderrOf(() -> {
            d[0] = AnomalyDetector.open(tmp.resolve("toy"), DetectorOptions.builder()
                    .providers(ExecutionProvider.TENSORRT, ExecutionProvider.CUDA, ExecutionProvider.CPU).build());
            d[0].detect(RawImage.grey8(new byte[64], 8, 8));
            d[0].detect(RawImage.grey8(new byte[64], 8, 8));
        });
        try (AnomalyDetector det = d[0]) {
            assertEquals(ExecutionProvider.CPU, det.executionProvider());
            List<ProviderFailure> f = det.providerFailures();
            assertEquals(List.of(ExecutionProvider.TENSORRT, ExecutionProvider.CUDA),
                    f.stream().map(ProviderFailure::provider).toList());
            for (ProviderFailure p : f) {
                assertFalse(p.reason().isBlank());
                // The reason itself is in the log, once, with the provider it belongs to.
                assertEquals(1, count(log, "execution provider " + p.provider() + " unavailable: " + p.reason()), log);
            }
            // One warning per failed provider, none from the detect calls.
            assertEquals(2, count(log, " WARN "), log);
        }
    }

    @Test
    void cudaFirstThenCpu() {
        String log = stderrOf(() -> {
            try (AnomalyDetector det = AnomalyDetector.open(tmp.resolve("toy"),
                    DetectorOptions.builder().providers(ExecutionProvider.CUDA, ExecutionProvider.CPU).build())) {
                assertEquals(ExecutionProvider.CPU, det.executionProvider());
                assertEquals(1, det.providerFailures().size());
            }
        });
        assertEquals(1, count(log, "execution provider CUDA unavailable"), log);
        assertTrue(log.contains("running on CPU"), log);
    }

    @Test
    void withoutTheCpuNoProviderIsLeftAndTheErrorListsEveryReason() {
        InferenceException e = assertThrows(InferenceException.class, () -> AnomalyDetector.open(tmp.resolve("toy"),
                DetectorOptions.builder().providers(ExecutionProvider.TENSORRT, ExecutionProvider.CUDA).build()));
        assertTrue(e.getMessage().contains("TENSORRT (") && e.getMessage().contains("CUDA ("), e.getMessage());
        assertTrue(e.getMessage().contains("add CPU to the providers"), e.getMessage());
    }

    /** The option names are ONNX Runtime's documented TensorRT provider keys. */
    @Test
    void tensorRtOptionsMapToOnnxRuntimeKeys() throws Exception {
        Path cache = tmp.resolve("engines/site-a");
        DetectorOptions o = DetectorOptions.builder().tensorRtFp16(true).tensorRtEngineCache(cache)
                .tensorRtWorkspaceBytes(3L << 30).tensorRtDeviceId(1).build();
        Map<String, String> m = SessionFactory.tensorRtOptions(o);
        assertEquals(Map.of("device_id", "1", "trt_fp16_enable", "1", "trt_max_workspace_size", Long.toString(3L << 30),
                "trt_engine_cache_enable", "1", "trt_engine_cache_path", cache.toAbsolutePath().toString()), m);
        assertTrue(Files.isDirectory(cache), "the cache folder is created for TensorRT's first engine");
        Map<String, String> defaults = SessionFactory.tensorRtOptions(DetectorOptions.defaults());
        assertEquals("0", defaults.get("trt_fp16_enable"));
        assertEquals("0", defaults.get("trt_engine_cache_enable"));
        assertEquals(Long.toString(1L << 30), defaults.get("trt_max_workspace_size"));
        assertEquals("0", defaults.get("device_id"));
    }

    @Test
    void optionsAreCheckedWhenBuilt() {
        assertThrows(IllegalArgumentException.class, () -> DetectorOptions.builder().providers(List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> DetectorOptions.builder().providers(ExecutionProvider.CPU, ExecutionProvider.CPU));
        assertThrows(IllegalArgumentException.class, () -> DetectorOptions.builder().maxBatch(0));
        assertThrows(IllegalArgumentException.class, () -> DetectorOptions.builder().regionConnectivity(6));
        assertThrows(IllegalArgumentException.class, () -> DetectorOptions.builder().cudaDeviceId(-1));
        assertEquals(List.of(ExecutionProvider.TENSORRT, ExecutionProvider.CUDA, ExecutionProvider.CPU),
                DetectorOptions.defaults().providers());
        assertEquals(64_000_000L, DetectorOptions.defaults().maxPixels());
    }
}
