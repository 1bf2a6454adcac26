package org.mvfaedge.server.http;

import io.micronaut.http.HttpStatus;
import java.util.Map;

/**
 * A request the server answers with an error: the status, a stable problem type, a short title and a
 * detail a person can act on. Rendered as {@code application/problem+json} by {@link ApiExceptionHandler}.
 */
public class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final HttpStatus status;
    private final String type;
    private final String title;
    private final transient Map<String, String> headers;

    public ApiException(HttpStatus status, String type, String title, String detail) {
        this(status, type, title, detail, Map.of(), null);
    }

    public ApiException(HttpStatus status, String type, String title, String detail, Map<String, String> headers,
            Throwable cause) {
        super(detail, cause, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.headers = Map.copyOf(headers);
    }

    public HttpStatus status() {
        return status;
    }

    /** Short problem slug, e.g. {@code model-not-found}; the JSON {@code type} is {@link Problem#typeUri(String)}. */
    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    /** Extra response headers (Retry-After on 503). */
    public Map<String, String> headers() {
        return headers;
    }

    public static ApiException badRequest(String type, String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, type, "Bad request", detail);
    }

    public static ApiException notFound(String type, String detail) {
        return new ApiException(HttpStatus.NOT_FOUND, type, "Not found", detail);
    }

    public static ApiException unavailable(String type, String title, String detail, int retryAfterSeconds) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, type, title, detail,
                Map.of("Retry-After", Integer.toString(retryAfterSeconds)), null);
    }
}
