package org.mvfaedge.server.http;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Builds problem+json responses; the body is serialised here so every path gives the same bytes. */
@Singleton
public class Problems {
    private final JsonMapper json;

    public Problems(JsonMapper json) {
        this.json = json;
    }

    public MutableHttpResponse<byte[]> response(HttpRequest<?> request, ApiException e) {
        MutableHttpResponse<byte[]> r = response(request, e.status(), e.type(), e.title(), e.detail());
        e.headers().forEach(r::header);
        return r;
    }

    public MutableHttpResponse<byte[]> response(HttpRequest<?> request, HttpStatus status, String type, String title,
            String detail) {
        return HttpResponse.<byte[]>status(status).body(body(request, status.getCode(), type, title, detail))
                .contentType(Problem.MEDIA_TYPE);
    }

    /** Replaces the body of an existing (error) response with a problem document. */
    public MutableHttpResponse<byte[]> rewrite(HttpRequest<?> request, MutableHttpResponse<?> response, String type,
            String title, String detail) {
        @SuppressWarnings("unchecked")
        MutableHttpResponse<byte[]> r = (MutableHttpResponse<byte[]>) response;
        return r.body(body(request, response.code(), type, title, detail)).contentType(Problem.MEDIA_TYPE);
    }

    public byte[] body(HttpRequest<?> request, int status, String type, String title, String detail) {
        return body(request == null ? null : request.getPath(), RequestIds.of(request), status, type, title, detail);
    }

    /** A problem document for a request that never reached Micronaut's routing (e.g. a refused connection). */
    public byte[] body(String instance, String requestId, int status, String type, String title, String detail) {
        Problem p = new Problem(Problem.typeUri(type), title, status, detail, instance, requestId);
        try {
            return json.writeValueAsBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Title, slug and default detail for a status that Micronaut itself produces (routing, limits). */
    public static Map.Entry<String, String> describe(int status) {
        return switch (status) {
            case 400 -> Map.entry("bad-request", "Bad request");
            case 401 -> Map.entry("unauthorized", "Unauthorized");
            case 403 -> Map.entry("forbidden", "Forbidden");
            case 404 -> Map.entry("not-found", "Not found");
            case 405 -> Map.entry("method-not-allowed", "Method not allowed");
            case 406 -> Map.entry("not-acceptable", "Not acceptable");
            case 413 -> Map.entry("payload-too-large", "Payload too large");
            case 415 -> Map.entry("unsupported-media-type", "Unsupported media type");
            case 422 -> Map.entry("unprocessable", "Unprocessable content");
            case 503 -> Map.entry("unavailable", "Service unavailable");
            default -> status >= 500 ? Map.entry("internal-error", "Internal server error")
                    : Map.entry("client-error", "Client error");
        };
    }
}
