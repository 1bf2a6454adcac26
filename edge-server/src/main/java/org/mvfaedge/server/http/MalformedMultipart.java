package org.mvfaedge.server.http;

/**
 * Recognises a failure of Netty's multipart decoder on a malformed body. That decoder throws plain runtime
 * exceptions for some client mistakes (a Content-Disposition parameter without '=': ArrayIndexOutOfBounds; a
 * part without a name: NullPointerException inside ErrorDataDecoderException), which Micronaut answers with
 * 500 although the request is at fault. Found by fuzzing (DetectRequestFuzzTest); the answer is 400.
 */
final class MalformedMultipart {
    private static final String DECODER_PACKAGE = "io.netty.handler.codec.http.multipart.";

    private MalformedMultipart() {
    }

    /** Whether {@code t} (or a cause) was thrown by Netty's multipart decoder. */
    static boolean is(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getClass().getName().startsWith(DECODER_PACKAGE)) {
                return true; // HttpPostRequestDecoder.ErrorDataDecoderException and its kin
            }
            StackTraceElement[] st = c.getStackTrace();
            if (st.length > 0 && st[0].getClassName().startsWith(DECODER_PACKAGE)) {
                return true;
            }
        }
        return false;
    }

    static final String DETAIL = "The multipart body is malformed: each part needs a header 'Content-Disposition:"
            + " form-data; name=\"...\"' with its parameters as name=value; send the image as the field named image.";
}
