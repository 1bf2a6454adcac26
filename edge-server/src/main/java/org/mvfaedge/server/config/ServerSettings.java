package org.mvfaedge.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings under {@code mvfa.*} (application.yml, environment variables such as {@code MVFA_MODELS},
 * {@code MVFA_API_KEYS}, or the {@code ./mvfa serve} options that {@code Application} translates).
 */
@ConfigurationProperties("mvfa")
public class ServerSettings {
    private List<String> models = new ArrayList<>();
    private List<String> apiKeys = new ArrayList<>();
    private List<String> adminKeys = new ArrayList<>();
    private boolean insecureNoAuth;
    private List<String> providers = new ArrayList<>(List.of("CPU"));
    private boolean warmUp = true;
    private Limits limits = new Limits();
    private int cpuThreads;
    private TensorRt tensorrt = new TensorRt();

    /** Model packages to serve: each a folder, or {@code id=folder} to override the manifest's id. */
    public List<String> getModels() {
        return models;
    }

    public void setModels(List<String> models) {
        this.models = clean(models);
    }

    /** SHA-256 hex hashes of the API keys allowed to call /v1 (detect and read the models). */
    public List<String> getApiKeys() {
        return apiKeys;
    }

    public void setApiKeys(List<String> apiKeys) {
        this.apiKeys = clean(apiKeys);
    }

    /** SHA-256 hex hashes of the admin keys (everything an API key may do, plus reload). */
    public List<String> getAdminKeys() {
        return adminKeys;
    }

    public void setAdminKeys(List<String> adminKeys) {
        this.adminKeys = clean(adminKeys);
    }

    /** Serve without any key check; the server refuses to start with no keys unless this is set. */
    public boolean isInsecureNoAuth() {
        return insecureNoAuth;
    }

    public void setInsecureNoAuth(boolean insecureNoAuth) {
        this.insecureNoAuth = insecureNoAuth;
    }

    /** Execution providers in order of preference (e.g. TENSORRT, CUDA, CPU); the first that works is used. */
    public List<String> getProviders() {
        return providers;
    }

    public void setProviders(List<String> providers) {
        this.providers = clean(providers);
    }

    /** Run one inference per model before reporting ready. */
    public boolean isWarmUp() {
        return warmUp;
    }

    public void setWarmUp(boolean warmUp) {
        this.warmUp = warmUp;
    }

    /** ONNX Runtime intra-op threads per model on the CPU provider (0: ONNX Runtime's default). */
    public int getCpuThreads() {
        return cpuThreads;
    }

    public void setCpuThreads(int cpuThreads) {
        this.cpuThreads = cpuThreads;
    }

    public TensorRt getTensorrt() {
        return tensorrt;
    }

    public void setTensorrt(TensorRt tensorrt) {
        this.tensorrt = tensorrt;
    }

    public Limits getLimits() {
        return limits;
    }

    public void setLimits(Limits limits) {
        this.limits = limits;
    }

    private static List<String> clean(List<String> values) {
        List<String> out = new ArrayList<>();
        if (values != null) {
            for (String v : values) {
                if (v == null) {
                    continue;
                }
                for (String part : v.split(",")) {
                    if (!part.isBlank()) {
                        out.add(part.strip());
                    }
                }
            }
        }
        return out;
    }

    /** Overload protection ({@code mvfa.limits.*}). The body size limit is micronaut.server.max-request-size. */
    @ConfigurationProperties("limits")
    public static class Limits {
        private long maxPixels = 40_000_000L;
        private int inferenceSlots = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
        private int queueSize = 16;
        private Duration queueTimeout = Duration.ofSeconds(10);
        private Duration requestDeadline = Duration.ofSeconds(30);
        private int retryAfterSeconds = 1;
        private int maxBatch = 1;
        private int maxConnections = 64;

        /** Width x height above which an image is refused (checked from the header, before decoding). */
        public long getMaxPixels() {
            return maxPixels;
        }

        public void setMaxPixels(long maxPixels) {
            this.maxPixels = maxPixels;
        }

        /** Inferences that may run at the same time (over all models). */
        public int getInferenceSlots() {
            return inferenceSlots;
        }

        public void setInferenceSlots(int inferenceSlots) {
            this.inferenceSlots = inferenceSlots;
        }

        /** Requests that may wait for a slot; more get 503 with Retry-After at once. */
        public int getQueueSize() {
            return queueSize;
        }

        public void setQueueSize(int queueSize) {
            this.queueSize = queueSize;
        }

        /** Longest wait for a slot before 503. */
        public Duration getQueueTimeout() {
            return queueTimeout;
        }

        public void setQueueTimeout(Duration queueTimeout) {
            this.queueTimeout = queueTimeout;
        }

        /** Longest time from the start of processing to the answer; later answers are 504. */
        public Duration getRequestDeadline() {
            return requestDeadline;
        }

        public void setRequestDeadline(Duration requestDeadline) {
            this.requestDeadline = requestDeadline;
        }

        /** Value of the Retry-After header on 503. */
        public int getRetryAfterSeconds() {
            return retryAfterSeconds;
        }

        public void setRetryAfterSeconds(int retryAfterSeconds) {
            this.retryAfterSeconds = retryAfterSeconds;
        }

        /** Largest batch the detector is opened for. */
        public int getMaxBatch() {
            return maxBatch;
        }

        public void setMaxBatch(int maxBatch) {
            this.maxBatch = maxBatch;
        }

        /**
         * HTTP connections open at the same time (at least 1); a connection over the limit gets 503 with
         * Retry-After and is closed, before its body is buffered.
         */
        public int getMaxConnections() {
            return maxConnections;
        }

        public void setMaxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
        }
    }

    /** TensorRT provider options ({@code mvfa.tensorrt.*}); used only where the provider is available. */
    @ConfigurationProperties("tensorrt")
    public static class TensorRt {
        private boolean fp16;
        private java.nio.file.Path engineCache;

        public boolean isFp16() {
            return fp16;
        }

        public void setFp16(boolean fp16) {
            this.fp16 = fp16;
        }

        /** Folder for built engines (engine builds take minutes on Jetson; keep it on persistent storage). */
        public java.nio.file.Path getEngineCache() {
            return engineCache;
        }

        public void setEngineCache(java.nio.file.Path engineCache) {
            this.engineCache = engineCache;
        }
    }
}
