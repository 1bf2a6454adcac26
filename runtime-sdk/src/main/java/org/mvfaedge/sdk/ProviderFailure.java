package org.mvfaedge.sdk;

/**
 * An execution provider the detector tried and could not use, with the reason ONNX Runtime gave
 * (e.g. the CPU build of ONNX Runtime has no TensorRT or CUDA provider).
 */
public record ProviderFailure(ExecutionProvider provider, String reason) {
}
