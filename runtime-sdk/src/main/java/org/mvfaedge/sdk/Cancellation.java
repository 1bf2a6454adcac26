package org.mvfaedge.sdk;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A request to stop detections that are running or about to run: pass it to
 * {@link AnomalyDetector#detect(ImageInput, Cancellation)} or
 * {@link AnomalyDetector#detectAll(List, Cancellation)}, and call {@link #cancel()} from any thread.
 * A call whose cancellation is requested before it starts does not run; one requested while the image
 * is decoded or prepared stops before the model runs; one requested while the model runs aborts the
 * ONNX Runtime run (ONNX Runtime checks its terminate flag between graph nodes, so it stops within one
 * node's time; a provider that runs the whole graph as one fused node, as TensorRT may, cannot be stopped
 * inside it). Each of these throws {@link InferenceCancelledException}, and the detector stays usable.
 * A cancellation that arrives after the model has run changes nothing: the call returns its result.
 *
 * <p>Once cancelled, it stays cancelled: use a new one per request. One instance may be shared by
 * calls running at the same time (cancelling it stops all of them). Thread-safe.
 *
 * <pre>{@code
 * Cancellation c = new Cancellation();
 * Future<Detection> f = pool.submit(() -> detector.detect(ImageInput.of(bytes), c));
 * try {
 *     return f.get(200, TimeUnit.MILLISECONDS);
 * } catch (TimeoutException e) {
 *     c.cancel(); // the running inference stops and frees the accelerator
 *     throw e;
 * }
 * }</pre>
 */
public final class Cancellation {
    /** Undoes a {@link #onCancel} registration; closing it twice is harmless. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    // The actions run under this lock, and a registration is removed under it too: so once close()
    // returns, its action is not running and never will, and the caller may free what it touches
    // (ONNX Runtime's native RunOptions, which must not be used after it is closed).
    private final Object lock = new Object();
    private final List<Runnable> actions = new ArrayList<>(1);
    private volatile boolean cancelled;

    /** A cancellation not yet requested. */
    public Cancellation() {
    }

    /**
     * Requests the cancellation: calls in progress stop as soon as they can, calls not yet started
     * will not run. Returns at once (it does not wait for them to stop); calling it again, or after
     * the calls ended, does nothing.
     */
    public void cancel() {
        synchronized (lock) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            for (Runnable a : actions) {
                a.run();
            }
        }
    }

    /** Whether {@link #cancel()} has been called. */
    public boolean isCancelled() {
        return cancelled;
    }

    /**
     * Throws {@link InferenceCancelledException} saying {@code where} the work stopped if the
     * cancellation was requested; for code that runs cancellable work in steps.
     */
    public void throwIfCancelled(String where) {
        if (cancelled) {
            throw new InferenceCancelledException("detection cancelled " + where);
        }
    }

    /**
     * Runs {@code action} when {@link #cancel()} is called while the returned registration is open,
     * or at once (in this thread) if the cancellation was already requested; for code that runs
     * cancellable work, such as the SDK's ONNX Runtime call, which registers its run's terminate flag.
     * The action runs under this object's lock, so it must be short and must not block.
     */
    public Registration onCancel(Runnable action) {
        Objects.requireNonNull(action, "action");
        synchronized (lock) {
            if (cancelled) {
                action.run();
                return () -> {
                };
            }
            // a wrapper of its own, removed by identity: the same action may be registered twice (two
            // calls sharing this cancellation), and closing one registration twice must not remove the other
            Runnable entry = action::run;
            actions.add(entry);
            return () -> remove(entry);
        }
    }

    private void remove(Runnable entry) {
        synchronized (lock) {
            for (int i = 0; i < actions.size(); i++) {
                if (actions.get(i) == entry) {
                    actions.remove(i);
                    return;
                }
            }
        }
    }
}
