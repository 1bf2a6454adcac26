package org.mvfaedge.sdk.detect;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.mvfaedge.sdk.Cancellation;
import org.mvfaedge.sdk.InferenceCancelledException;
import org.mvfaedge.sdk.InferenceException;
import org.mvfaedge.sdk.onnx.MvfaGraphNames;
import org.mvfaedge.sdk.runtime.RawOutputs;

/**
 * The SDK's one run path of an MVFA graph's session: the detector, enrollment, and through
 * {@link org.mvfaedge.sdk.runtime.OnnxRawScorer} the trainer's ONNX evaluation and calibration at export
 * all run the graph here, so RunOptions, cancellation and output handling exist once. A batch in a
 * direct buffer is read in place by ONNX Runtime; a heap buffer is copied into a native one per call.
 * Thread-safe (sessions may be run concurrently); the session is owned by the caller.
 */
public final class GraphRunner {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final int size;
    private final boolean fewShot;
    private final Set<String> outputNames;

    public GraphRunner(OrtSession session, int size, boolean fewShot) {
        this.session = session;
        this.size = size;
        this.fewShot = fewShot;
        this.outputNames = Set.copyOf(session.getOutputNames());
    }

    public int size() {
        return size;
    }

    public boolean fewShot() {
        return fewShot;
    }

    /** Whether the graph has the named output (e.g. the token outputs enrollment needs). */
    public boolean hasOutput(String name) {
        return outputNames.contains(name);
    }

    /** The raw outputs of {@code n} images held in {@code batch} from position 0. */
    public RawOutputs score(FloatBuffer batch, int n) {
        return score(batch, n, null);
    }

    /**
     * As {@link #score(FloatBuffer, int)}, stopped by {@code cancellation} (null: not cancellable).
     *
     * @throws InferenceCancelledException if it was cancelled before or during the run
     */
    public RawOutputs score(FloatBuffer batch, int n, Cancellation cancellation) {
        Set<String> wanted = new HashSet<>(List.of(MvfaGraphNames.ZERO_MAP, MvfaGraphNames.ZERO_SCORE));
        if (fewShot) {
            wanted.add(MvfaGraphNames.FEW_MAP);
            wanted.add(MvfaGraphNames.FEW_SCORE);
        }
        Map<String, float[]> r = run(batch, n, wanted, cancellation);
        return new RawOutputs(n, size, r.get(MvfaGraphNames.ZERO_MAP), r.get(MvfaGraphNames.ZERO_SCORE),
                r.get(MvfaGraphNames.FEW_MAP), r.get(MvfaGraphNames.FEW_SCORE));
    }

    /** The named outputs of {@code n} images, each flattened row-major. */
    public Map<String, float[]> run(FloatBuffer batch, int n, Set<String> outputs) {
        return run(batch, n, outputs, null);
    }

    /**
     * As {@link #run(FloatBuffer, int, Set)}, stopped by {@code cancellation} (null: not cancellable).
     *
     * @throws InferenceCancelledException if it was cancelled before or during the run
     */
    public Map<String, float[]> run(FloatBuffer batch, int n, Set<String> outputs, Cancellation cancellation) {
        long elements = (long) n * 3 * size * size;
        if (batch.capacity() < elements) {
            throw new IllegalArgumentException("batch buffer holds " + batch.capacity() + " floats, " + n
                    + " images need " + elements);
        }
        FloatBuffer view = batch.duplicate();
        view.position(0).limit((int) elements);
        // Not cancellable: a cancellation nobody holds, so there is one run path (a RunOptions per
        // call costs nothing beside the run).
        Cancellation c = cancellation != null ? cancellation : new Cancellation();
        c.throwIfCancelled("before the model ran");
        // RunOptions per call: its terminate flag is this run's alone, and it is closed after the
        // registration (resources close in reverse order), so cancel() never touches a freed one.
        try (OrtSession.RunOptions options = new OrtSession.RunOptions();
                Cancellation.Registration reg = c.onCancel(() -> terminate(options));
                OnnxTensor in = OnnxTensor.createTensor(env, view, new long[] {n, 3, size, size});
                OrtSession.Result r = session.run(Map.of(MvfaGraphNames.IMAGE, in), outputs, options)) {
            return collect(r, outputs);
        } catch (OrtException e) {
            if (c.isCancelled()) {
                // ONNX Runtime reports the terminate flag as a plain failure; the caller asked for it
                throw new InferenceCancelledException("detection cancelled while the model ran", e);
            }
            throw new InferenceException("inference failed: " + e.getMessage(), e);
        }
    }

    private static void terminate(OrtSession.RunOptions options) {
        try {
            options.setTerminate(true);
        } catch (OrtException e) {
            // cannot happen on an open RunOptions (the registration ensures it is open); were it to,
            // the run would merely finish, so cancel() must not fail for it
        }
    }

    private static Map<String, float[]> collect(OrtSession.Result r, Set<String> outputs) throws OrtException {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String name : outputs) {
            out.put(name, floats(r, name));
        }
        return out;
    }

    private static float[] floats(OrtSession.Result r, String name) throws OrtException {
        Optional<OnnxValue> v = r.get(name);
        if (v.isEmpty()) {
            throw new InferenceException("the model returned no " + name);
        }
        FloatBuffer b = ((OnnxTensor) v.get()).getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }
}
