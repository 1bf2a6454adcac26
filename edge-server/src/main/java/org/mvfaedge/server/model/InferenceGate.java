package org.mvfaedge.server.model;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * N inference slots and a bounded wait line. {@link #enter} takes a free slot at once, or waits in line
 * when fewer than {@code queueSize} requests wait already; otherwise it refuses at once, so a burst can
 * never pile up threads and request bodies without bound.
 */
public final class InferenceGate {
    /** Why a request got no slot. */
    public enum Refusal { QUEUE_FULL, WAIT_TIMEOUT }

    /** Thrown when no slot was obtained. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final Refusal refusal;

        Refused(Refusal refusal) {
            super(refusal.name(), null, false, false);
            this.refusal = refusal;
        }

        public Refusal refusal() {
            return refusal;
        }
    }

    private final int slots;
    private final int queueSize;
    private final Semaphore permits;
    private final AtomicInteger waiting = new AtomicInteger();

    public InferenceGate(int slots, int queueSize) {
        if (slots < 1 || queueSize < 0) {
            throw new IllegalArgumentException("inference slots must be >= 1 and the queue size >= 0 (got " + slots
                    + " and " + queueSize + ")");
        }
        this.slots = slots;
        this.queueSize = queueSize;
        this.permits = new Semaphore(slots, true);
    }

    /** Takes a slot, waiting at most {@code maxWaitNanos}; call {@link #exit()} exactly once afterwards. */
    public void enter(long maxWaitNanos) throws Refused, InterruptedException {
        if (permits.tryAcquire()) {
            return;
        }
        // join the line only if it has room: the count never exceeds queueSize, not even for an instant
        while (true) {
            int w = waiting.get();
            if (w >= queueSize) {
                throw new Refused(Refusal.QUEUE_FULL);
            }
            if (waiting.compareAndSet(w, w + 1)) {
                break;
            }
        }
        try {
            if (!permits.tryAcquire(Math.max(0, maxWaitNanos), TimeUnit.NANOSECONDS)) {
                throw new Refused(Refusal.WAIT_TIMEOUT);
            }
        } finally {
            waiting.decrementAndGet();
        }
    }

    public void exit() {
        permits.release();
    }

    /** Requests waiting for a slot. */
    public int waiting() {
        return waiting.get();
    }

    /** Inferences running. */
    public int active() {
        return slots - permits.availablePermits();
    }

    /** True when a new request would be refused at once (every slot busy and the line full). */
    public boolean saturated() {
        return permits.availablePermits() == 0 && waiting.get() >= queueSize;
    }

    public int slots() {
        return slots;
    }

    public int queueSize() {
        return queueSize;
    }
}
