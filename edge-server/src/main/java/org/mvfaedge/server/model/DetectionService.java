package org.mvfaedge.server.model;

import io.micronaut.http.HttpStatus;
import io.micronaut.runtime.graceful.GracefulShutdownCapable;
import jakarta.annotation.PreDestroy;
import io.micronaut.context.annotation.Context;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.mvfaedge.sdk.Cancellation;
import org.mvfaedge.sdk.dicom.DicomDetector;
import org.mvfaedge.sdk.dicom.DicomResult;
import org.mvfaedge.sdk.dicom.FrameSelection;
import org.mvfaedge.sdk.image.dicom.DicomWindow;
import org.mvfaedge.sdk.Detection;
import org.mvfaedge.sdk.ImageInput;
import org.mvfaedge.sdk.InferenceCancelledException;
import org.mvfaedge.sdk.MvfaException;
import org.mvfaedge.sdk.detect.MapGrid;
import org.mvfaedge.server.ServerMetrics;
import org.mvfaedge.server.config.ServerSettings;
import org.mvfaedge.server.http.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One detection under the server's limits: the model is resolved (404 / 503 while loading), a slot is
 * taken from the {@link InferenceGate} (503 with Retry-After when the line is full or the wait too
 * long), the SDK runs on a pool of exactly as many threads as slots, and the answer must come before the
 * request's deadline (504 otherwise: the running detection is cancelled through the SDK's
 * {@link Cancellation}, which aborts the ONNX Runtime run, so the slot - released only when the task
 * really ends, so the limit holds - comes back within about one graph node's time instead of a whole
 * inference's). The images asked for (map PNG, overlay) are encoded inside the slot too.
 */
@Context
public class DetectionService implements GracefulShutdownCapable {
    private static final Logger LOG = LoggerFactory.getLogger(DetectionService.class);

    /** How the anomaly map is returned. */
    public enum MapFormat { NONE, PNG, ARRAY }

    /** What the caller asked for beyond the score. */
    public record Options(MapFormat map, boolean overlay) {
    }

    /**
     * A finished detection and where its time went. The map and overlay asked for are at {@code mapGrid}'s size:
     * the input's own up to {@code mvfa.limits.max-map-pixels}, proportionally smaller beyond.
     */
    public record Result(String modelId, String modelVersion, String executionProvider, Detection detection,
            MapGrid mapGrid, float[] mapValues, byte[] mapPng, byte[] overlayPng, double queueMs, double totalMs) {
    }

    private final ModelRegistry registry;
    private final ServerMetrics metrics;
    private final InferenceGate gate;
    private final ExecutorService pool;
    private final long deadlineNanos;
    private final long queueTimeoutNanos;
    private final int retryAfter;
    private final long maxMapPixels;
    private final AtomicInteger inFlight = new AtomicInteger();

    public DetectionService(ModelRegistry registry, ServerMetrics metrics, ServerSettings settings) {
        ServerSettings.Limits limits = settings.getLimits();
        this.registry = registry;
        this.metrics = metrics;
        this.gate = new InferenceGate(limits.getInferenceSlots(), limits.getQueueSize());
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(limits.getInferenceSlots(), r -> {
            Thread t = new Thread(r, "mvfa-inference-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.deadlineNanos = limits.getRequestDeadline().toNanos();
        this.queueTimeoutNanos = limits.getQueueTimeout().toNanos();
        this.retryAfter = Math.max(1, limits.getRetryAfterSeconds());
        this.maxMapPixels = limits.getMaxMapPixels();
        if (maxMapPixels < 1) {
            throw new io.micronaut.context.exceptions.ConfigurationException(
                    "mvfa.limits.max-map-pixels must be at least 1 (got " + maxMapPixels + ")");
        }
        metrics.gauge("mvfa.queue.depth", "Requests waiting for an inference slot", gate::waiting);
        metrics.gauge("mvfa.inference.active", "Inferences running", gate::active);
        metrics.gauge("mvfa.inference.slots", "Inference slots configured", gate::slots);
        LOG.info("limits: {} inference slot(s), wait line of {}, queue timeout {} ms, request deadline {} ms, max {} pixels",
                gate.slots(), gate.queueSize(), queueTimeoutNanos / 1_000_000, deadlineNanos / 1_000_000,
                limits.getMaxPixels());
    }

    public InferenceGate gate() {
        return gate;
    }

    public int retryAfterSeconds() {
        return retryAfter;
    }

    /**
     * Runs one detection on the encoded image {@code body}, then {@code answer} on its result (the response's
     * serialisation): both inside the inference slot and the request's deadline, so that building a large
     * answer is bounded like the inference itself.
     */
    public <T> T detect(String modelId, byte[] body, Options options, String requestId, Function<Result, T> answer) {
        return inSlot(modelId, body, requestId, (lease, queued, start, cancellation) ->
                run(lease, body, options, queued, start, cancellation, requestId), answer);
    }

    /** Frames of a DICOM input scored in one slot, with the package's identity. */
    public record DicomOutcome(String modelId, String modelVersion, String executionProvider, List<DicomResult> results,
            double queueMs, double totalMs) {
    }

    /**
     * As {@link #detect} for a DICOM body: the selected frames (rendered with {@code window}, null for the
     * package's) scored in one inference slot and deadline; {@code answer} (the JSON, or a Secondary Capture)
     * built inside them too.
     */
    public <T> T detectDicom(String modelId, byte[] body, FrameSelection frames, DicomWindow window, String requestId,
            Function<DicomOutcome, T> answer) {
        return inSlot(modelId, body, requestId, (lease, queued, start, cancellation) -> {
            try {
                LoadedModel m = lease.model();
                DicomDetector dd = dicomDetector(m);
                List<DicomResult> results;
                try {
                    results = dd.detect(dd.read(body), frames, window, cancellation);
                } catch (InferenceCancelledException e) {
                    metrics.inferenceCancelled(m.id());
                    throw e;
                }
                for (DicomResult r : results) {
                    metrics.inference(m.id(), r.detection().timings().inferenceMs());
                }
                cancellation.throwIfCancelled("before rendering the answer");
                return new DicomOutcome(m.id(), m.version(), m.detector().executionProvider().name(), results,
                        queued / 1e6, (System.nanoTime() - start) / 1e6);
            } finally {
                gate.exit();
                lease.close();
                inFlight.decrementAndGet();
            }
        }, answer);
    }

    /** One DicomDetector per loaded model (it reads the package's dicom section once). */
    private final java.util.Map<LoadedModel, DicomDetector> dicomDetectors =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    private DicomDetector dicomDetector(LoadedModel m) {
        return dicomDetectors.computeIfAbsent(m, x -> new DicomDetector(x.detector()));
    }

    /** The work done in a slot; it must release the slot (gate, lease, in-flight count) when it ends. */
    private interface SlotWork<R> {
        R run(ModelLease lease, long queuedNanos, long start, Cancellation cancellation);
    }

    private <R, T> T inSlot(String modelId, byte[] body, String requestId, SlotWork<R> work, Function<R, T> answer) {
        long start = System.nanoTime();
        long deadline = start + deadlineNanos;
        if (body == null || body.length == 0) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "empty-body", "Empty image",
                    "The request body is empty: send the image file's bytes as the body (or as the multipart field 'image').");
        }
        ModelRegistry.Slot slot = registry.slot(modelId);
        ModelLease lease = registry.lease(slot, retryAfter);
        boolean handedOver = false;
        try {
            try {
                gate.enter(Math.min(queueTimeoutNanos, deadline - System.nanoTime()));
            } catch (InferenceGate.Refused r) {
                if (r.refusal() == InferenceGate.Refusal.WAIT_TIMEOUT && System.nanoTime() - deadline >= 0) {
                    throw deadlineExceeded(requestId, "while waiting for an inference slot");
                }
                throw overloaded(gate, retryAfter, r.refusal() == InferenceGate.Refusal.QUEUE_FULL
                        ? "All " + gate.slots() + " inference slots are busy and " + gate.queueSize()
                                + " requests are already waiting; retry after " + retryAfter + " s."
                        : "No inference slot came free within " + queueTimeoutNanos / 1_000_000 + " ms; retry after "
                                + retryAfter + " s.");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiException.unavailable("shutting-down", "Server stopping", "The server is stopping; retry on another"
                        + " instance or after it restarts.", retryAfter);
            }
            long queued = System.nanoTime() - start;
            metrics.queueWait(queued);
            Future<T> future;
            Cancellation cancellation = new Cancellation();
            inFlight.incrementAndGet();
            try {
                future = pool.submit(() -> answer.apply(work.run(lease, queued, start, cancellation)));
                handedOver = true;
            } catch (RejectedExecutionException e) {
                gate.exit();
                inFlight.decrementAndGet();
                throw ApiException.unavailable("shutting-down", "Server stopping", "The server is stopping; retry on another"
                        + " instance or after it restarts.", retryAfter);
            }
            try {
                return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // nobody will read the result: stop the run so the slot and the accelerator come back
                cancellation.cancel();
                throw deadlineExceeded(requestId, "during inference (the result will be discarded)");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiException.unavailable("shutting-down", "Server stopping", "The server is stopping.", retryAfter);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof MvfaException m) {
                    throw m;
                }
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException("detection failed", cause);
            }
        } finally {
            if (!handedOver) {
                lease.close();
            }
        }
    }

    private Result run(ModelLease lease, byte[] body, Options options, long queuedNanos, long start,
            Cancellation cancellation, String requestId) {
        try {
            LoadedModel m = lease.model();
            Detection d;
            try {
                d = m.detector().detect(ImageInput.of(body), cancellation);
            } catch (InferenceCancelledException e) {
                // only the deadline cancels; its 504 has gone already, and this exception is never read
                metrics.inferenceCancelled(m.id());
                LOG.info("request {}: inference on model {} stopped by the deadline ({}); slot freed {} ms after the"
                        + " request arrived", requestId, m.id(), e.getMessage(), (System.nanoTime() - start) / 1_000_000);
                throw e;
            }
            metrics.inference(m.id(), d.timings().inferenceMs());
            cancellation.throwIfCancelled("before rendering the answer");
            MapGrid grid = MapGrid.fit(d.width(), d.height(), maxMapPixels);
            float[] values = options.map() == MapFormat.ARRAY ? d.map(grid.width(), grid.height()) : null;
            byte[] mapPng = options.map() == MapFormat.PNG ? d.mapPng(grid.width(), grid.height()) : null;
            byte[] overlay = options.overlay() ? d.overlayPng(grid.width(), grid.height()) : null;
            return new Result(m.id(), m.version(), m.detector().executionProvider().name(), d, grid, values, mapPng,
                    overlay, queuedNanos / 1e6, (System.nanoTime() - start) / 1e6);
        } finally {
            gate.exit();
            lease.close();
            inFlight.decrementAndGet();
        }
    }

    /** The 503 of a full server. */
    public static ApiException overloaded(InferenceGate gate, int retryAfter, String detail) {
        return ApiException.unavailable("overloaded", "Server busy", detail, retryAfter);
    }

    private ApiException deadlineExceeded(String requestId, String where) {
        LOG.warn("request {}: deadline of {} ms exceeded {}", requestId, deadlineNanos / 1_000_000, where);
        return new ApiException(HttpStatus.GATEWAY_TIMEOUT, "deadline-exceeded", "Deadline exceeded",
                "No result within the server's request deadline of " + deadlineNanos / 1_000_000 + " ms " + where
                        + "; the server is overloaded or the image is very large. Retry later; no result was recorded.");
    }

    @Override
    public CompletionStage<?> shutdownGracefully() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            while (inFlight.get() > 0) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    break;
                }
            }
            done.complete(null);
        }, "mvfa-drain");
        t.setDaemon(true);
        t.start();
        return done;
    }

    @Override
    public OptionalLong reportActiveTasks() {
        return OptionalLong.of(inFlight.get());
    }

    @PreDestroy
    void close() throws InterruptedException {
        pool.shutdown();
        if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
            LOG.warn("inference still running 30 s after shutdown began; stopping without it");
        }
    }
}
