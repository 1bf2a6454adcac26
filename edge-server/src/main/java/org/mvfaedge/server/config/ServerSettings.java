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
    private List<String> modelRoots = new ArrayList<>();
    private Metrics metrics = new Metrics();
    private List<String> trustedKeys = new ArrayList<>();

    /**
     * Ed25519 public key PEM files: when any is set, a package is loaded (at start or on reload) only if one of
     * them signed it and nothing changed since. Empty: packages are checked by their sha256 sums only.
     */
    public List<String> getTrustedKeys() {
        return trustedKeys;
    }

    public void setTrustedKeys(List<String> trustedKeys) {
        this.trustedKeys = clean(trustedKeys);
    }

    /** Model packages to serve: each a folder, or {@code id=folder} to override the manifest's id. */
    public List<String> getModels() {
        return models;
    }

    public void setModels(List<String> models) {
        this.models = clean(models);
    }

    /**
     * Folders under which {@code POST /v1/models/{id}/reload} may load a package given by path (each package a
     * sub-folder). Empty: a reload only re-reads the folder a model was loaded from.
     */
    public List<String> getModelRoots() {
        return modelRoots;
    }

    public void setModelRoots(List<String> modelRoots) {
        this.modelRoots = clean(modelRoots);
    }

    public Metrics getMetrics() {
        return metrics;
    }

    public void setMetrics(Metrics metrics) {
        this.metrics = metrics;
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
        private int maxConnectionsPerAddress = 32;
        private int healthReserve = 4;
        private Duration requestHeadTimeout = Duration.ofSeconds(5);
        private long maxMapPixels = 1L << 20;

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

        /** HTTP connections open at the same time from one client address (at least 1). */
        public int getMaxConnectionsPerAddress() {
            return maxConnectionsPerAddress;
        }

        public void setMaxConnectionsPerAddress(int maxConnectionsPerAddress) {
            this.maxConnectionsPerAddress = maxConnectionsPerAddress;
        }

        /** Connections accepted beyond max-connections for the health endpoints only (probes keep working). */
        public int getHealthReserve() {
            return healthReserve;
        }

        public void setHealthReserve(int healthReserve) {
            this.healthReserve = healthReserve;
        }

        /** Time a new connection has to send a complete request head; slower ones are closed. */
        public Duration getRequestHeadTimeout() {
            return requestHeadTimeout;
        }

        public void setRequestHeadTimeout(Duration requestHeadTimeout) {
            this.requestHeadTimeout = requestHeadTimeout;
        }

        /**
         * Largest map (width x height) a response carries ({@code map=png|array}, {@code overlay}); larger inputs
         * get the map at a proportionally smaller size, stated in the response's {@code mapWidth}, {@code mapHeight}
         * and {@code mapScale}.
         */
        public long getMaxMapPixels() {
            return maxMapPixels;
        }

        public void setMaxMapPixels(long maxMapPixels) {
            this.maxMapPixels = maxMapPixels;
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

    /** The Prometheus endpoint ({@code mvfa.metrics.*}). */
    @ConfigurationProperties("metrics")
    public static class Metrics {
        private boolean requireKey = true;

        /** /prometheus answers only with an API or admin key (default); false opens it to anyone who can connect. */
        public boolean isRequireKey() {
            return requireKey;
        }

        public void setRequireKey(boolean requireKey) {
            this.requireKey = requireKey;
        }
    }
}
