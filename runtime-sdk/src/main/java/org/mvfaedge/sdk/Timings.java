package org.mvfaedge.sdk;

/**
 * Where the time of one detection went, in milliseconds. In a batch ({@link AnomalyDetector#detectAll})
 * the inference of the whole batch is one ONNX Runtime call; each image is charged its share
 * ({@code batch time / batchSize}).
 *
 * @param decodeMs decoding the encoded image (or converting the raw buffer) to 8-bit RGB
 * @param preprocessMs resize to the model's size and scaling to 0..1
 * @param inferenceMs this image's share of the ONNX Runtime call
 * @param postprocessMs calibration, resampling the map to the input's size and finding regions
 * @param batchSize images in the ONNX Runtime call this image was part of
 */
public record Timings(double decodeMs, double preprocessMs, double inferenceMs, double postprocessMs, int batchSize) {
    /** The sum of the four stages. */
    public double totalMs() {
        return decodeMs + preprocessMs + inferenceMs + postprocessMs;
    }

    /** The share of the time spent outside inference (0..1). */
    public double outsideInferenceShare() {
        double t = totalMs();
        return t > 0 ? (t - inferenceMs) / t : 0;
    }
}
