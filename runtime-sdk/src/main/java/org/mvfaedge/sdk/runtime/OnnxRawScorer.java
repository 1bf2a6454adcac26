package org.mvfaedge.sdk.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.mvfaedge.sdk.InferenceException;
import org.mvfaedge.sdk.detect.GraphRunner;
import org.mvfaedge.sdk.onnx.MvfaGraphContract;

/**
 * An exported MVFA graph on ONNX Runtime, returning its raw outputs. It owns the session; every run
 * goes through its {@link GraphRunner}, the SDK's one run path (the detector, enrollment, and the
 * trainer's evaluation and calibration at export all score through it). Thread-safe: ONNX Runtime
 * sessions may be run concurrently. Close it to free the native session.
 */
public final class OnnxRawScorer implements RawScorer, AutoCloseable {
    private final OrtSession session;
    private final GraphRunner runner;

    /**
     * Opens the graph with the given session options (execution providers, threads).
     *
     * @throws InferenceException if ONNX Runtime cannot load it, or it is not an MVFA graph (the message
     *     names the missing inputs and outputs)
     */
    public OnnxRawScorer(Path modelFile, OrtSession.SessionOptions options, int imageSize) {
        try {
            this.session = OrtEnvironment.getEnvironment().createSession(modelFile.toString(), options);
        } catch (OrtException e) {
            throw new InferenceException("ONNX Runtime cannot load " + modelFile + ": " + e.getMessage(), e);
        }
        Set<String> outputs = new HashSet<>(session.getOutputNames());
        String problem = MvfaGraphContract.problem(session.getInputNames(), outputs, false);
        if (problem != null) {
            close();
            throw new InferenceException(modelFile + " is not an MVFA graph: " + problem);
        }
        this.runner = new GraphRunner(session, imageSize, outputs.containsAll(MvfaGraphContract.FEW_SHOT_OUTPUTS));
    }

    /** Opens the graph on the CPU with default options. */
    public static OnnxRawScorer cpu(Path modelFile, int imageSize) {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            return new OnnxRawScorer(modelFile, o, imageSize);
        }
    }

    @Override
    public int imageSize() {
        return runner.size();
    }

    @Override
    public boolean fewShot() {
        return runner.fewShot();
    }

    public OrtSession session() {
        return session;
    }

    /** The run path of this session (direct buffers, named outputs, cancellation). */
    public GraphRunner runner() {
        return runner;
    }

    /** Scores {@code n} images held in a heap array (ONNX Runtime copies it into a native buffer). */
    @Override
    public RawOutputs score(float[] images, int n) {
        int size = runner.size();
        long expected = (long) n * 3 * size * size;
        if (images.length < expected) {
            throw new IllegalArgumentException("expected " + n + " images of 3 x " + size + " x " + size);
        }
        return runner.score(FloatBuffer.wrap(images, 0, (int) expected), n);
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
