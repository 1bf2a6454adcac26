package org.mvfaedge.server.http;

import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import org.mvfaedge.server.ServerMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First and last on every request: assigns the request id (X-Request-Id accepted when it is a safe
 * token), echoes it on the response, writes one access line (method, path, status, time; never the
 * query's content beyond the path, never a body) and records the request metrics.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public class RequestIdFilter implements Ordered {
    private static final Logger ACCESS = LoggerFactory.getLogger("org.mvfaedge.server.access");
    private static final String START = "mvfa.start";
    private final ServerMetrics metrics;

    public RequestIdFilter(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public int getOrder() {
        return ServerFilterPhase.FIRST.order();
    }

    @RequestFilter
    public void before(HttpRequest<?> request) {
        request.setAttribute(START, System.nanoTime());
        RequestIds.assign(request);
    }

    @ResponseFilter
    public void after(HttpRequest<?> request, MutableHttpResponse<?> response) {
        String id = RequestIds.of(request);
        response.header(RequestIds.HEADER, id);
        long start = request.getAttribute(START, Long.class).orElse(System.nanoTime());
        long nanos = System.nanoTime() - start;
        String path = request.getPath();
        metrics.request(endpoint(request), response.code(), nanos);
        if (path.startsWith("/v1/")) {
            ACCESS.info("request {} {} {} -> {} in {} ms", id, request.getMethodName(), path, response.code(),
                    nanos / 1_000_000);
        } else if (ACCESS.isDebugEnabled()) {
            ACCESS.debug("request {} {} {} -> {} in {} ms", id, request.getMethodName(), path, response.code(),
                    nanos / 1_000_000);
        }
    }

    /** A small fixed set of endpoint names for the metric tags (never a raw path: bounded cardinality). */
    static String endpoint(HttpRequest<?> request) {
        String p = request.getPath();
        if (p.equals("/v1/detect")) {
            return "detect";
        }
        if (p.startsWith("/v1/models")) {
            return p.endsWith("/reload") ? "reload" : "models";
        }
        if (p.startsWith("/health")) {
            return "health";
        }
        return "other";
    }
}
