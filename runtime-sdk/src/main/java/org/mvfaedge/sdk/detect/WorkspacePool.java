package org.mvfaedge.sdk.detect;

import java.util.concurrent.ConcurrentLinkedDeque;
import org.mvfaedge.sdk.image.PreprocessingSpec;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lends {@link Workspace}s to concurrent calls. A pool rather than a ThreadLocal: a detector's
 * buffers must not outlive it in a server's long-lived threads, and a burst of threads should not
 * leave one set of buffers per thread behind. At most {@code retain} idle workspaces are kept.
 */
public final class WorkspacePool {
    private final PreprocessingSpec spec;
    private final int retain;
    private final ConcurrentLinkedDeque<Workspace> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();

    /** Workspaces that prepare images as {@code spec} says (the package's manifest). */
    public WorkspacePool(PreprocessingSpec spec, int retain) {
        this.spec = spec;
        this.retain = retain;
    }

    /** An idle workspace, or a new one. */
    public Workspace borrow() {
        Workspace w = idle.pollFirst();
        if (w != null) {
            idleCount.decrementAndGet();
            return w;
        }
        return new Workspace(spec);
    }

    /** Returns a workspace for reuse (dropped if enough are idle). */
    public void giveBack(Workspace w) {
        if (idleCount.incrementAndGet() <= retain) {
            idle.offerFirst(w);
        } else {
            idleCount.decrementAndGet();
        }
    }

    /** Drops the idle workspaces (their direct buffers are freed by the collector). */
    public void clear() {
        while (idle.pollFirst() != null) {
            idleCount.decrementAndGet();
        }
    }
}
