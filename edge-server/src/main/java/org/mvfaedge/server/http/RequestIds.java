package org.mvfaedge.server.http;

import io.micronaut.http.HttpRequest;
import java.util.UUID;
import java.util.regex.Pattern;

/** The request id: the caller's X-Request-Id when it is a safe token, else a fresh UUID. */
public final class RequestIds {
    public static final String HEADER = "X-Request-Id";
    static final String ATTRIBUTE = "mvfa.requestId";
    /** Only these characters reach a log line (no log injection, no patient data smuggled in a long id). */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private RequestIds() {
    }

    /** The id of a request, assigning one if the filter has not run (never null for a real request). */
    public static String of(HttpRequest<?> request) {
        if (request == null) {
            return null;
        }
        return request.getAttribute(ATTRIBUTE, String.class).orElseGet(() -> assign(request));
    }

    static String assign(HttpRequest<?> request) {
        String id = fromHeader(request.getHeaders().get(HEADER));
        request.setAttribute(ATTRIBUTE, id);
        return id;
    }

    /** The caller's id when it is a safe token, else a fresh UUID. */
    static String fromHeader(String given) {
        return given != null && SAFE.matcher(given).matches() ? given : UUID.randomUUID().toString();
    }
}
