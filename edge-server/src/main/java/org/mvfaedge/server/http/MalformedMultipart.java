package org.mvfaedge.server.http;

/**
 * Recognises a failure of Netty's multipart decoder on a malformed body. That decoder throws plain runtime
 * exceptions for some client mistakes (a Content-Disposition parameter without '=': ArrayIndexOutOfBounds; a
 * part without a name: NullPointerException inside ErrorDataDecoderException; an empty boundary parameter:
 * StringIndexOutOfBounds in String.charAt), which Micronaut answers with
 * 500 although the request is at fault. Found by fuzzing (DetectRequestFuzzTest); the answer is 400.
 * Recognised by the stack, so the server's JVM runs with -XX:-OmitStackTraceInFastThrow (bin/mvfa-edge): once
 * hot, the JIT would otherwise throw these without a stack and the answer would fall back to 500.
 */
final class MalformedMultipart {
    private static final String DECODER_PACKAGE = "io.netty.handler.codec.http.multipart.";

    private MalformedMultipart() {
    }

    /**
     * Whether {@code t} was thrown by Netty's multipart decoder on {@code request}'s body. Recognised by the
     * stack; where the JVM threw an implicit exception without one (hot code, OmitStackTraceInFastThrow), a
     * stackless ArrayIndexOutOfBounds / StringIndexOutOfBounds / NullPointer on a multipart request is taken
     * as the decoder's: our own code paths for a multipart body run after the decoder and are not stackless
     * under the launcher's -XX:-OmitStackTraceInFastThrow.
     */
    static boolean is(Throwable t, io.micronaut.http.HttpRequest<?> request) {
        if (is(t)) {
            return true;
        }
        boolean multipart = request != null && request.getContentType()
                .map(m -> "multipart".equalsIgnoreCase(m.getType())).orElse(false);
        return multipart && t.getStackTrace().length == 0 && t.getCause() == null
                && (t instanceof IndexOutOfBoundsException || t instanceof NullPointerException);
    }

    /** Whether {@code t} (or a cause) was thrown by Netty's multipart decoder. */
    static boolean is(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getClass().getName().startsWith(DECODER_PACKAGE)) {
                return true; // HttpPostRequestDecoder.ErrorDataDecoderException and its kin
            }
            // the first frame outside the JDK: an empty boundary ("boundary=; boundary=x") fails in String.charAt
            // called from the decoder's boundary parser (found by fuzzing, too)
            for (StackTraceElement e : c.getStackTrace()) {
                String cls = e.getClassName();
                if (cls.startsWith("java.") || cls.startsWith("jdk.")) {
                    continue;
                }
                if (cls.startsWith(DECODER_PACKAGE)) {
                    return true;
                }
                break;
            }
        }
        return false;
    }

    static final String DETAIL = "The multipart body is malformed: each part needs a header 'Content-Disposition:"
            + " form-data; name=\"...\"' with its parameters as name=value; send the image as the field named image.";
}
