package org.mvfaedge.sdk.onnx;

/**
 * An ONNX model that cannot be built, written or read as asked: a name used twice, a tensor whose
 * data does not match its shape, a missing or truncated external data file. The message says what to
 * fix.
 */
public class OnnxFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OnnxFormatException(String message) {
        super(message);
    }

    public OnnxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
