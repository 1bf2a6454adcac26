package org.mvfaedge.sdk.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.mvfaedge.sdk.InferenceException;
import org.mvfaedge.sdk.onnx.MvfaGraphNames;

/**
 * An exported MVFA graph on ONNX Runtime, returning its raw outputs. Thread-safe: ONNX Runtime
 * sessions may be run concurrently. Close it to free the native session.
 */
public final class OnnxRawScorer implements RawScorer, AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final int size;
    private final boolean fewShot;
    private final Set<String> outputs;

    /** Opens the graph with the given session options (execution providers, threads). */
    public OnnxRawScorer(Path modelFile, OrtSession.SessionOptions options, int imageSize) {
        this.env = OrtEnvironment.getEnvironment();
        try {
            this.session = env.createSession(modelFile.toString(), options);
        } catch (OrtException e) {
            throw new InferenceException("ONNX Runtime cannot load " + modelFile + ": " + e.getMessage(), e);
        }
        this.size = imageSize;
        this.outputs = new HashSet<>(session.getOutputNames());
        this.fewShot = outputs.contains(MvfaGraphNames.FEW_MAP) && outputs.contains(MvfaGraphNames.FEW_SCORE);
        if (!outputs.contains(MvfaGraphNames.ZERO_MAP) || !outputs.contains(MvfaGraphNames.ZERO_SCORE)) {
            close();
            throw new InferenceException(modelFile + " is not an MVFA graph: outputs " + outputs);
        }
    }

    /** Opens the graph on the CPU with default options. */
    public static OnnxRawScorer cpu(Path modelFile, int imageSize) {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            return new OnnxRawScorer(modelFile, o, imageSize);
        }
    }

    @Override
    public int imageSize() {
        return size;
    }

    @Override
    public boolean fewShot() {
        return fewShot;
    }

    public OrtSession session() {
        return session;
    }

    @Override
    public RawOutputs score(float[] images, int n) {
        long expected = (long) n * 3 * size * size;
        if (images.length < expected) {
            throw new IllegalArgumentException("expected " + n + " images of 3 x " + size + " x " + size);
        }
        Set<String> wanted = new HashSet<>(Set.of(MvfaGraphNames.ZERO_MAP, MvfaGraphNames.ZERO_SCORE));
        if (fewShot) {
            wanted.add(MvfaGraphNames.FEW_MAP);
            wanted.add(MvfaGraphNames.FEW_SCORE);
        }
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(images, 0, (int) expected),
                new long[] {n, 3, size, size});
                OrtSession.Result r = session.run(Map.of(MvfaGraphNames.IMAGE, in), wanted)) {
            return new RawOutputs(n, size, floats(r, MvfaGraphNames.ZERO_MAP), floats(r, MvfaGraphNames.ZERO_SCORE),
                    fewShot ? floats(r, MvfaGraphNames.FEW_MAP) : null,
                    fewShot ? floats(r, MvfaGraphNames.FEW_SCORE) : null);
        } catch (OrtException e) {
            throw new InferenceException("inference failed: " + e.getMessage(), e);
        }
    }

    private static float[] floats(OrtSession.Result r, String name) throws OrtException {
        Optional<ai.onnxruntime.OnnxValue> v = r.get(name);
        if (v.isEmpty()) {
            throw new InferenceException("the model returned no " + name);
        }
        FloatBuffer b = ((OnnxTensor) v.get()).getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new InferenceException("closing the session failed: " + e.getMessage(), e);
        }
    }
}
