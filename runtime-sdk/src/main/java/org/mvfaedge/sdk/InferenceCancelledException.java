package org.mvfaedge.sdk;

/**
 * The detection stopped because its {@link Cancellation} was requested; no result was produced. The
 * detector is unaffected and the next call runs normally.
 */
public class InferenceCancelledException extends InferenceException {
    private static final long serialVersionUID = 1L;

    public InferenceCancelledException(String message) {
        super(message);
    }

    public InferenceCancelledException(String message, Throwable cause) {
        super(message, cause);
    }
}
