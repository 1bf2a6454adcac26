package org.mvfaedge.server.http;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micronaut's own errors (no route 404, wrong method 405, wrong content type 415, body over the size
 * limit 413, unconvertible query values 400, unexpected exceptions 500) as problem+json, never with a
 * stack trace; a 5xx detail only points at the request id in the server log.
 */
@Singleton
@Replaces(ErrorResponseProcessor.class)
public class ProblemErrorResponseProcessor implements ErrorResponseProcessor<byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(ProblemErrorResponseProcessor.class);
    private final Problems problems;

    public ProblemErrorResponseProcessor(Problems problems) {
        this.problems = problems;
    }

    @Override
    public MutableHttpResponse<byte[]> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        HttpRequest<?> request = context.getRequest();
        int status = response.code();
        if (status >= 500 && context.getRootCause().map(t -> MalformedMultipart.is(t, request)).orElse(false)) {
            // the client's malformed multipart body, not a server failure (no stack trace logged for it)
            LOG.debug("request {}: malformed multipart body", RequestIds.of(request));
            response.status(io.micronaut.http.HttpStatus.BAD_REQUEST);
            Map.Entry<String, String> bad = Problems.describe(400);
            return problems.rewrite(request, response, bad.getKey(), bad.getValue(), MalformedMultipart.DETAIL);
        }
        Map.Entry<String, String> kind = Problems.describe(status);
        String detail;
        if (status >= 500) {
            String rid = RequestIds.of(request);
            context.getRootCause().ifPresent(t -> LOG.error("request {}: unexpected {}", rid, t.getClass().getName(), t));
            detail = "The server failed on this request; the operator can find it in the server log under request id "
                    + rid + ".";
        } else if (status == 404) {
            detail = "No endpoint at " + request.getPath()
                    + ". The API is under /v1 (POST /v1/detect, GET /v1/models); its description is at /swagger-ui.";
        } else {
            detail = clientDetail(status, context.getErrors().stream().map(Error::getMessage)
                    .filter(m -> m != null && !m.isBlank()).findFirst().orElse(null));
        }
        return problems.rewrite(request, response, kind.getKey(), kind.getValue(), detail);
    }

    /** Framework text that would tell a client about the server's insides (class names, routing tables). */
    private static final java.util.regex.Pattern INTERNALS = java.util.regex.Pattern.compile(
            "\\$|Exception|Impl\\b|Source:|Feature|argument \\[|\\b(io|java|javax|jakarta|com|org)\\.[a-z]|route|Route|\\[class |@[0-9a-f]{4,}");

    /**
     * What a client is told about its own mistake: Micronaut's message where it only describes the request
     * (a limit, a missing parameter), a message of ours where Micronaut's names its internals.
     */
    static String clientDetail(int status, String message) {
        if (message != null && message.startsWith("More than 1 route matched")) {
            // two routes take POST /v1/detect, told apart by Content-Type; none was sent (or a wildcard)
            return "Say what the body is with a Content-Type header: image/png, image/jpeg, image/tiff, image/bmp or"
                    + " application/octet-stream for the image's bytes, or multipart/form-data with the field 'image'.";
        }
        if (message != null && !INTERNALS.matcher(message).find() && message.length() <= 300) {
            return message.replaceAll("[\\r\\n\\t]", " ");
        }
        return switch (status) {
            case 400 -> "The request could not be read: check its body (JSON where JSON is expected, an image file in"
                    + " the multipart field 'image'), its Content-Type and its query parameters against the API"
                    + " description at /swagger-ui.";
            case 413 -> "The request is larger than the server accepts (body size or number of form fields).";
            case 415 -> "The Content-Type is not accepted here; see the API description at /swagger-ui.";
            default -> Problems.describe(status).getValue();
        };
    }
}
