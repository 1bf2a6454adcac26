package org.mvfaedge.sdk;

/**
 * Base of the SDK's typed errors. Every subclass carries a message that names the input at fault
 * and says what the caller can do about it, so the message can be shown to an operator as is.
 */
public class MvfaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MvfaException(String message) {
        super(message);
    }

    public MvfaException(String message, Throwable cause) {
        super(message, cause);
    }
}
