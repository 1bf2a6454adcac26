package org.mvfaedge.sdk.detect;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtTensorRTProviderOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mvfaedge.sdk.DetectorOptions;
import org.mvfaedge.sdk.ExecutionProvider;
import org.mvfaedge.sdk.InferenceException;
import org.mvfaedge.sdk.OnnxRuntimeBuild;
import org.mvfaedge.sdk.ProviderFailure;
import org.mvfaedge.sdk.runtime.OnnxRawScorer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a model on the first execution provider of an ordered list that both registers and loads it.
 * A provider can fail in two places: registration (the ONNX Runtime build lacks it, e.g. TensorRT in
 * the CPU artifact) or session creation (the provider exists but its libraries or the GPU are
 * missing). Either way the reason is logged once and the next provider is tried.
 *
 * <p>The default order (TensorRT, CUDA, CPU) is filtered to what the loaded ONNX Runtime build offers,
 * so the CPU build goes straight to the CPU and says nothing about GPU providers it never had; an
 * explicit request is tried as given, so a missing provider is still explained.
 */
public final class SessionFactory {
    private static final Logger LOG = LoggerFactory.getLogger(SessionFactory.class);

    /** The opened model, the provider it runs on, and the providers that failed before it. */
    public record Opened(OnnxRawScorer scorer, ExecutionProvider provider, List<ProviderFailure> failures) {
    }

    /** The loaded build, looked up (and logged) once per process. */
    private static volatile OnnxRuntimeBuild build;

    private SessionFactory() {
    }

    /** The loaded ONNX Runtime; the first call logs it (artifact, version, providers) once for the process. */
    public static OnnxRuntimeBuild onnxRuntime() {
        OnnxRuntimeBuild b = build;
        if (b == null) {
            synchronized (SessionFactory.class) {
                b = build;
                if (b == null) {
                    b = OnnxRuntimeBuild.current();
                    LOG.info("{}", b.describe());
                    String twice = OnnxRuntimeBuild.duplicateJarsProblem(SessionFactory.class.getClassLoader());
                    if (twice != null) {
                        LOG.error("{}", twice);
                    }
                    build = b;
                }
            }
        }
        return b;
    }

    /** The providers to try: as requested, or the default order filtered to what {@code b} offers. */
    public static List<ExecutionProvider> order(DetectorOptions options, OnnxRuntimeBuild b) {
        return options.providersRequested() ? options.providers() : b.offeredOf(options.providers());
    }

    /**
     * Opens {@code modelFile} on the first usable provider of {@code options.providers()}. The graph's kind is
     * not a provider's business: {@link org.mvfaedge.sdk.pkg.ModelPackage#open} has refused a graph that is not
     * an MVFA graph before any provider is tried (MvfaGraphContract), so a failure here is the provider's.
     *
     * @throws InferenceException when none works, listing every provider's reason
     */
    public static Opened open(Path modelFile, int imageSize, DetectorOptions options) {
        List<ProviderFailure> failures = new ArrayList<>();
        List<ExecutionProvider> order = order(options, onnxRuntime());
        for (int i = 0; i < order.size(); i++) {
            ExecutionProvider p = order.get(i);
            try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
                configure(so, order.subList(i, order.size()), options);
                OnnxRawScorer scorer = new OnnxRawScorer(modelFile, so, imageSize);
                LOG.info("anomaly detector running on {}{}", p,
                        failures.isEmpty() ? "" : " (after " + failures.size() + " unavailable provider(s))");
                return new Opened(scorer, p, List.copyOf(failures));
            } catch (OrtException | InferenceException | ProviderUnavailable e) {
                String reason = reason(e);
                failures.add(new ProviderFailure(p, reason));
                String next = i + 1 < order.size() ? "trying " + order.get(i + 1) : "no provider left";
                LOG.warn("execution provider {} unavailable: {}; {}", p, reason, next);
            }
        }
        StringBuilder sb = new StringBuilder("no execution provider could load the model:");
        for (ProviderFailure f : failures) {
            sb.append(' ').append(f.provider()).append(" (").append(f.reason()).append(");");
        }
        sb.append(" add CPU to the providers, or install an ONNX Runtime build with the GPU providers");
        throw new InferenceException(sb.toString());
    }

    /**
     * Registers the provider at the head of {@code tail} (failures propagate), then, best effort, the
     * GPU providers after it, so that nodes the first cannot run (TensorRT's unsupported ops) go to
     * the next GPU provider rather than the CPU. The CPU provider is always ONNX Runtime's last resort.
     */
    static void configure(OrtSession.SessionOptions so, List<ExecutionProvider> tail, DetectorOptions o)
            throws OrtException {
        if (o.cpuThreads() > 0) {
            so.setIntraOpNumThreads(o.cpuThreads());
        }
        register(so, tail.get(0), o);
        for (ExecutionProvider later : tail.subList(1, tail.size())) {
            if (later == ExecutionProvider.CPU) {
                break;
            }
            try {
                register(so, later, o);
            } catch (OrtException | ProviderUnavailable e) {
                LOG.debug("secondary provider {} not registered: {}", later, reason(e));
            }
        }
    }

    /**
     * Registers {@code p} alone on fresh session options, without a model: null when it registers, else
     * ONNX Runtime's reason (a GPU build without CUDA's libraries fails here). For diagnostics.
     */
    public static String registrationProblem(ExecutionProvider p, DetectorOptions o) {
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            register(so, p, o);
            return null;
        } catch (OrtException | ProviderUnavailable | LinkageError e) {
            return reason(e);
        }
    }

    private static void register(OrtSession.SessionOptions so, ExecutionProvider p, DetectorOptions o)
            throws OrtException {
        switch (p) {
            case TENSORRT -> {
                OrtTensorRTProviderOptions trt;
                try {
                    trt = new OrtTensorRTProviderOptions(o.tensorRtDeviceId());
                } catch (OrtException | UnsatisfiedLinkError e) {
                    throw new ProviderUnavailable("TensorRT options cannot be created: " + message(e), e);
                }
                try {
                    for (Map.Entry<String, String> e : tensorRtOptions(o).entrySet()) {
                        trt.add(e.getKey(), e.getValue());
                    }
                    so.addTensorrt(trt);
                } finally {
                    trt.close();
                }
            }
            case CUDA -> so.addCUDA(o.cudaDeviceId());
            case CPU -> {
                // ONNX Runtime's default provider: nothing to register.
            }
        }
    }

    /**
     * The options passed to ONNX Runtime's TensorRT provider (its documented keys). The engine cache
     * folder is created here so that TensorRT can write the first engine into it.
     */
    public static Map<String, String> tensorRtOptions(DetectorOptions o) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("device_id", Integer.toString(o.tensorRtDeviceId()));
        m.put("trt_fp16_enable", o.tensorRtFp16() ? "1" : "0");
        m.put("trt_max_workspace_size", Long.toString(o.tensorRtWorkspaceBytes()));
        Path cache = o.tensorRtEngineCache();
        if (cache != null) {
            try {
                Files.createDirectories(cache);
            } catch (IOException e) {
                throw new ProviderUnavailable("the TensorRT engine cache folder " + cache + " cannot be created: "
                        + e.getMessage(), e);
            }
            m.put("trt_engine_cache_enable", "1");
            m.put("trt_engine_cache_path", cache.toAbsolutePath().toString());
        } else {
            m.put("trt_engine_cache_enable", "0");
        }
        return m;
    }

    private static String reason(Throwable e) {
        String m = message(e);
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static String message(Throwable e) {
        return e.getMessage() != null ? e.getMessage().strip() : e.getClass().getSimpleName();
    }

    /** A provider that cannot be set up before ONNX Runtime is even asked. */
    static final class ProviderUnavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ProviderUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
