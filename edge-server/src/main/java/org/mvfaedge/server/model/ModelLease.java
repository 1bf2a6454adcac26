package org.mvfaedge.server.model;

/** A request's hold on a model: the detector stays open until {@link #close()}. */
public final class ModelLease implements AutoCloseable {
    private final LoadedModel model;
    private boolean closed;

    ModelLease(LoadedModel model) {
        this.model = model;
    }

    public LoadedModel model() {
        return model;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            model.release();
        }
    }
}
