package org.mvfaedge.sdk;

/**
 * An image (or a raw pixel buffer) could not be turned into pixels. {@link #reason()} tells callers
 * (the edge server maps it to an HTTP status) what kind of problem it was; the message says what to
 * fix.
 */
public class ImageDecodeException extends MvfaException {
    private static final long serialVersionUID = 1L;

    /** What was wrong with the input. */
    public enum Reason {
        /** Zero bytes: an empty upload or an empty file. */
        EMPTY,
        /** The data starts like a known format but cannot be decoded (truncated or damaged). */
        CORRUPT,
        /** No decoder recognises the data, or the decoder cannot handle this variant of the format. */
        UNSUPPORTED_FORMAT,
        /** Width x height is over the decoder's pixel limit (checked from the header, before decoding). */
        TOO_LARGE,
        /** A raw pixel buffer whose length does not match width x height x channels, or bad dimensions. */
        RAW_SIZE_MISMATCH,
        /** The file could not be read at all (missing, a folder, no permission). */
        UNREADABLE
    }

    private final Reason reason;

    public ImageDecodeException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ImageDecodeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** The kind of problem. */
    public Reason reason() {
        return reason;
    }
}
