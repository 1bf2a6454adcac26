package org.mvfaedge.sdk;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.mvfaedge.sdk.image.ImageDecoder;

/**
 * How an {@link AnomalyDetector} runs: execution providers in order of preference and their
 * settings, batching, the input pixel limit and how regions are found. Immutable; build with
 * {@link #builder()}.
 */
public final class DetectorOptions {
    /** Default TensorRT workspace: 1 GiB (ONNX Runtime's own default). */
    public static final long DEFAULT_TRT_WORKSPACE_BYTES = 1L << 30;

    private final List<ExecutionProvider> providers;
    private final boolean providersRequested;
    private final boolean tensorRtFp16;
    private final Path tensorRtEngineCache;
    private final long tensorRtWorkspaceBytes;
    private final int tensorRtDeviceId;
    private final int cudaDeviceId;
    private final int cpuThreads;
    private final int maxBatch;
    private final long maxPixels;
    private final int regionMinArea;
    private final boolean regionEightConnected;
    private final Double regionThreshold;
    private final long regionMaxPixels;
    private final org.mvfaedge.sdk.pkg.trust.TrustedKeys trustedKeys;

    private DetectorOptions(Builder b) {
        this.trustedKeys = b.trustedKeys;
        this.providers = List.copyOf(b.providers);
        this.providersRequested = b.providersRequested;
        this.tensorRtFp16 = b.tensorRtFp16;
        this.tensorRtEngineCache = b.tensorRtEngineCache;
        this.tensorRtWorkspaceBytes = b.tensorRtWorkspaceBytes;
        this.tensorRtDeviceId = b.tensorRtDeviceId;
        this.cudaDeviceId = b.cudaDeviceId;
        this.cpuThreads = b.cpuThreads;
        this.maxBatch = b.maxBatch;
        this.maxPixels = b.maxPixels;
        this.regionMinArea = b.regionMinArea;
        this.regionEightConnected = b.regionEightConnected;
        this.regionThreshold = b.regionThreshold;
        this.regionMaxPixels = b.regionMaxPixels;
    }

    /**
     * Largest map (width x height) on which regions are found: inputs up to this size get their regions at
     * their own resolution; larger ones on the map resampled to a proportionally smaller grid of at most this
     * many pixels, with boxes, peaks and areas scaled back to the input's pixels. This bounds the memory and
     * time of postprocessing for very large inputs (a 6000 x 6000 scan would otherwise label 36 M pixels); the
     * full-resolution map itself is computed only when asked for ({@link Detection#map()}).
     */
    public long regionMaxPixels() {
        return regionMaxPixels;
    }

    /**
     * Keys whose signature a package must carry to be opened ({@code manifest.sig}); empty (the default):
     * packages are not verified beyond their sha256 sums.
     */
    public org.mvfaedge.sdk.pkg.trust.TrustedKeys trustedKeys() {
        return trustedKeys;
    }

    /** A builder with the defaults: TensorRT, CUDA, CPU; fp32; batches of 8; 64 megapixels. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults. */
    public static DetectorOptions defaults() {
        return builder().build();
    }

    /**
     * Providers in order of preference. Unless {@link #providersRequested()}, this is the default order
     * and the detector tries only those the loaded ONNX Runtime build offers (a CPU build goes straight
     * to the CPU, without a word about TensorRT or CUDA).
     */
    public List<ExecutionProvider> providers() {
        return providers;
    }

    /**
     * Whether the caller chose the providers: then each is tried even when the build lacks it, and its
     * failure is logged with ONNX Runtime's reason.
     */
    public boolean providersRequested() {
        return providersRequested;
    }

    /** Whether TensorRT may build fp16 engines. */
    public boolean tensorRtFp16() {
        return tensorRtFp16;
    }

    /** Folder of TensorRT's engine cache, or null for no cache (engines are rebuilt on every start). */
    public Path tensorRtEngineCache() {
        return tensorRtEngineCache;
    }

    public long tensorRtWorkspaceBytes() {
        return tensorRtWorkspaceBytes;
    }

    public int tensorRtDeviceId() {
        return tensorRtDeviceId;
    }

    public int cudaDeviceId() {
        return cudaDeviceId;
    }

    /** Intra-op threads of the CPU provider; 0 lets ONNX Runtime choose (one per core). */
    public int cpuThreads() {
        return cpuThreads;
    }

    /** Most images per ONNX Runtime call in {@link AnomalyDetector#detectAll}. */
    public int maxBatch() {
        return maxBatch;
    }

    /** Largest accepted input (width x height), checked before decoding. */
    public long maxPixels() {
        return maxPixels;
    }

    /** Regions smaller than this many pixels (in the input's resolution) are not reported. */
    public int regionMinArea() {
        return regionMinArea;
    }

    /** Whether diagonal neighbours join a region (8-connectivity) rather than only edge neighbours (4). */
    public boolean regionEightConnected() {
        return regionEightConnected;
    }

    /** Map value at or above which a pixel belongs to a region; null: the package's decision threshold. */
    public Double regionThreshold() {
        return regionThreshold;
    }

    @Override
    public String toString() {
        return "DetectorOptions[providers=" + providers + (providersRequested ? "" : " (default)") + ", trtFp16=" + tensorRtFp16 + ", trtEngineCache="
                + tensorRtEngineCache + ", trtWorkspaceBytes=" + tensorRtWorkspaceBytes + ", trtDevice="
                + tensorRtDeviceId + ", cudaDevice=" + cudaDeviceId + ", cpuThreads=" + cpuThreads + ", maxBatch="
                + maxBatch + ", maxPixels=" + maxPixels + ", regionMinArea=" + regionMinArea + ", regionConnectivity="
                + (regionEightConnected ? 8 : 4) + ", regionThreshold=" + regionThreshold + ", trustedKeys=" + trustedKeys.ids().size() + "]";
    }

    /** Builds {@link DetectorOptions}; every setter checks its value. */
    public static final class Builder {
        private List<ExecutionProvider> providers = List.of(ExecutionProvider.TENSORRT, ExecutionProvider.CUDA,
                ExecutionProvider.CPU);
        private boolean providersRequested;
        private boolean tensorRtFp16;
        private Path tensorRtEngineCache;
        private long tensorRtWorkspaceBytes = DEFAULT_TRT_WORKSPACE_BYTES;
        private int tensorRtDeviceId;
        private int cudaDeviceId;
        private int cpuThreads;
        private int maxBatch = 8;
        private long maxPixels = ImageDecoder.DEFAULT_MAX_PIXELS;
        private int regionMinArea = 1;
        private boolean regionEightConnected = true;
        private Double regionThreshold;
        private long regionMaxPixels = 1L << 22;
        private org.mvfaedge.sdk.pkg.trust.TrustedKeys trustedKeys = org.mvfaedge.sdk.pkg.trust.TrustedKeys.none();

        private Builder() {
        }

        /**
         * Opens only packages signed by one of these keys, unchanged since ({@code mvfa-edge sign}); a refused
         * package throws {@link org.mvfaedge.sdk.pkg.trust.PackageTrustException} saying why. Null or empty: no check.
         */
        public Builder trustedKeys(org.mvfaedge.sdk.pkg.trust.TrustedKeys keys) {
            this.trustedKeys = keys == null ? org.mvfaedge.sdk.pkg.trust.TrustedKeys.none() : keys;
            return this;
        }

        /** Providers in order of preference (at least one, no repeats). */
        public Builder providers(List<ExecutionProvider> providers) {
            Objects.requireNonNull(providers, "providers");
            if (providers.isEmpty()) {
                throw new IllegalArgumentException("give at least one execution provider (CPU always works)");
            }
            if (providers.stream().distinct().count() != providers.size()) {
                throw new IllegalArgumentException("execution providers " + providers + " repeat one");
            }
            this.providers = List.copyOf(providers);
            this.providersRequested = true;
            return this;
        }

        /** Providers in order of preference. */
        public Builder providers(ExecutionProvider... providers) {
            return providers(List.of(providers));
        }

        public Builder tensorRtFp16(boolean fp16) {
            this.tensorRtFp16 = fp16;
            return this;
        }

        /** TensorRT's engine cache folder (created if missing); essential on Jetson, where builds take minutes. */
        public Builder tensorRtEngineCache(Path folder) {
            this.tensorRtEngineCache = folder;
            return this;
        }

        public Builder tensorRtWorkspaceBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("TensorRT workspace must be positive, got " + bytes);
            }
            this.tensorRtWorkspaceBytes = bytes;
            return this;
        }

        public Builder tensorRtDeviceId(int id) {
            this.tensorRtDeviceId = nonNegative(id, "TensorRT device id");
            return this;
        }

        public Builder cudaDeviceId(int id) {
            this.cudaDeviceId = nonNegative(id, "CUDA device id");
            return this;
        }

        /** CPU intra-op threads; 0 lets ONNX Runtime choose. */
        public Builder cpuThreads(int threads) {
            this.cpuThreads = nonNegative(threads, "CPU threads");
            return this;
        }

        public Builder maxBatch(int maxBatch) {
            if (maxBatch < 1) {
                throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
            }
            this.maxBatch = maxBatch;
            return this;
        }

        public Builder maxPixels(long maxPixels) {
            if (maxPixels < 1) {
                throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
            }
            this.maxPixels = maxPixels;
            return this;
        }

        /** See {@link DetectorOptions#regionMaxPixels()}; default 4,194,304 (2048 x 2048). */
        public Builder regionMaxPixels(long pixels) {
            if (pixels < 1) {
                throw new IllegalArgumentException("regionMaxPixels must be positive, got " + pixels);
            }
            this.regionMaxPixels = pixels;
            return this;
        }

        public Builder regionMinArea(int pixels) {
            this.regionMinArea = nonNegative(pixels, "region minimum area");
            return this;
        }

        /** 8 (default) or 4. */
        public Builder regionConnectivity(int neighbours) {
            if (neighbours != 4 && neighbours != 8) {
                throw new IllegalArgumentException("region connectivity is 4 or 8, got " + neighbours);
            }
            this.regionEightConnected = neighbours == 8;
            return this;
        }

        /** Map value for regions; null (default) uses the package's decision threshold. */
        public Builder regionThreshold(Double threshold) {
            if (threshold != null && !Double.isFinite(threshold)) {
                throw new IllegalArgumentException("region threshold must be finite, got " + threshold);
            }
            this.regionThreshold = threshold;
            return this;
        }

        public DetectorOptions build() {
            return new DetectorOptions(this);
        }

        private static int nonNegative(int v, String what) {
            if (v < 0) {
                throw new IllegalArgumentException(what + " must not be negative, got " + v);
            }
            return v;
        }
    }
}
