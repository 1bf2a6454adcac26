package org.mvfaedge.sdk.onnx;

/**
 * When {@link OnnxModelFiles#write} moves tensor data out of {@code model.onnx} into
 * {@code model.onnx.data} beside it (ONNX external data). A protobuf message cannot exceed 2 GB, so a
 * ViT-L/14 model (about 1.2 GB of fp32 weights plus a memory bank) must use it; small models stay in
 * one file, which is easier to copy and to load from bytes.
 *
 * @param totalBytesTrigger external data is used when the initializers hold more than this many bytes
 * @param tensorBytesThreshold once it is used, tensors of at least this many bytes go to the data file
 *     (smaller ones, such as shape constants, stay inline as the ONNX tools do)
 */
public record ExternalDataPolicy(long totalBytesTrigger, long tensorBytesThreshold) {
    /** About 1 GB: well below protobuf's 2 GB limit, above every model that loads comfortably inline. */
    public static final long DEFAULT_TOTAL_TRIGGER = 1L << 30;
    /** The onnx Python package's default {@code size_threshold}. */
    public static final long DEFAULT_TENSOR_THRESHOLD = 1024;

    public ExternalDataPolicy {
        if (totalBytesTrigger < 0 || tensorBytesThreshold < 0) {
            throw new IllegalArgumentException("external data thresholds must be >= 0, got "
                    + totalBytesTrigger + " and " + tensorBytesThreshold);
        }
    }

    /** External data above about 1 GB of initializers, for tensors of 1 KiB or more. */
    public static ExternalDataPolicy automatic() {
        return new ExternalDataPolicy(DEFAULT_TOTAL_TRIGGER, DEFAULT_TENSOR_THRESHOLD);
    }

    /** External data whatever the model's size, for tensors of at least {@code tensorBytesThreshold}. */
    public static ExternalDataPolicy always(long tensorBytesThreshold) {
        return new ExternalDataPolicy(0, tensorBytesThreshold);
    }

    /** Everything inline (fails for models whose serialised form would pass 2 GB). */
    public static ExternalDataPolicy never() {
        return new ExternalDataPolicy(Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /** Whether a model whose initializers hold {@code totalBytes} uses external data. */
    public boolean appliesTo(long totalBytes) {
        return totalBytes > totalBytesTrigger;
    }
}
