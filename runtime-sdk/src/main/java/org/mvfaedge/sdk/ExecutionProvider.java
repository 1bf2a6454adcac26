package org.mvfaedge.sdk;

/**
 * An ONNX Runtime execution provider the detector can run on. The detector tries them in the order
 * of {@link DetectorOptions#providers()} (default TensorRT, CUDA, CPU) and uses the first that
 * registers and loads the model; {@link AnomalyDetector#executionProvider()} says which.
 */
public enum ExecutionProvider {
    /** NVIDIA TensorRT (needs the {@code onnxruntime_gpu} artifact or an ONNX Runtime built with TensorRT). */
    TENSORRT,
    /** NVIDIA CUDA (needs the {@code onnxruntime_gpu} artifact). */
    CUDA,
    /** ONNX Runtime's CPU provider: always available. */
    CPU
}
