package org.mvfaedge.trainer.model;

/**
 * A model that cannot be built as asked: inconsistent widths, adapter levels outside the network,
 * an image too small for the patch, a position table for another grid. The message says what to
 * change.
 */
public class ModelConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelConfigException(String message) {
        super(message);
    }
}
