package org.mvfaedge.sdk;

/** The inference engine failed to load or run a model; the message says what it reported. */
public class InferenceException extends MvfaException {
    private static final long serialVersionUID = 1L;

    public InferenceException(String message) {
        super(message);
    }

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
