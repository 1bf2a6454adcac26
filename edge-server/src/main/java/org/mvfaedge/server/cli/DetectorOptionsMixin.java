package org.mvfaedge.server.cli;

import java.nio.file.Path;
import java.util.List;
import org.mvfaedge.sdk.DetectorOptions;
import org.mvfaedge.sdk.ExecutionProvider;
import picocli.CommandLine.Option;

/** The detector's execution options on the command line ({@code predict}, {@code enroll}, {@code bench}, {@code doctor}). */
public final class DetectorOptionsMixin {
    @Option(names = "--providers", split = ",", converter = ProviderName.class, paramLabel = "NAME",
            description = "Execution providers in order of preference, any case (default: TENSORRT,CUDA,CPU as far as "
                    + "the ONNX Runtime build offers them; a provider named here is tried even when the build lacks it).")
    List<ExecutionProvider> providers;

    @Option(names = "--trt-fp16", description = "Let TensorRT build fp16 engines.")
    boolean trtFp16;

    @Option(names = "--trt-cache", paramLabel = "DIR", description = "TensorRT engine cache folder (strongly advised on Jetson).")
    Path trtCache;

    @Option(names = "--device", defaultValue = "0", description = "GPU device id for TensorRT and CUDA (default ${DEFAULT-VALUE}).")
    int device;

    @Option(names = "--cpu-threads", defaultValue = "0", description = "CPU intra-op threads; 0: one per core.")
    int cpuThreads;

    @Option(names = "--trusted-key", paramLabel = "PUB",
            description = "Open only packages signed by this Ed25519 public key (PEM); repeatable. Without one,"
                    + " packages are checked by their sha256 sums only.")
    List<Path> trustedKeys;

    @Option(names = "--max-batch", defaultValue = "8", description = "Images per ONNX Runtime call (default ${DEFAULT-VALUE}).")
    int maxBatch;

    /** Provider names in any case ({@code cpu}, {@code TensorRT}), with the valid ones listed on a typo. */
    static final class ProviderName implements picocli.CommandLine.ITypeConverter<ExecutionProvider> {
        @Override
        public ExecutionProvider convert(String value) {
            try {
                return ExecutionProvider.valueOf(value.strip().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not an execution provider; use "
                        + java.util.Arrays.toString(ExecutionProvider.values()));
            }
        }
    }

    /** The options as given. */
    public DetectorOptions toOptions() {
        DetectorOptions.Builder b = DetectorOptions.builder().tensorRtFp16(trtFp16)
                .tensorRtDeviceId(device).cudaDeviceId(device).cpuThreads(cpuThreads).maxBatch(maxBatch);
        if (providers != null && !providers.isEmpty()) {
            b.providers(providers);
        }
        if (trtCache != null) {
            b.tensorRtEngineCache(trtCache);
        }
        if (trustedKeys != null && !trustedKeys.isEmpty()) {
            try {
                b.trustedKeys(org.mvfaedge.sdk.pkg.trust.TrustedKeys.read(trustedKeys));
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot read a --trusted-key file: " + UserErrorHandler.message(e), e);
            }
        }
        return b.build();
    }
}
