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
            detail = context.getErrors().stream().map(Error::getMessage).filter(m -> m != null && !m.isBlank())
                    .findFirst().orElse(kind.getValue());
        }
        return problems.rewrite(request, response, kind.getKey(), kind.getValue(), detail);
    }
}
