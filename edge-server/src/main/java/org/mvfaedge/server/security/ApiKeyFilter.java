package org.mvfaedge.server.security;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import org.mvfaedge.server.http.Problems;
import org.mvfaedge.server.http.RequestIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * X-API-Key on everything under /v1: 401 when missing or unknown, 403 when an API key (not an admin
 * key) asks for an admin operation (model reload). Health, metrics and the API description stay open.
 */
@ServerFilter("/v1/**")
public class ApiKeyFilter implements Ordered {
    public static final String HEADER = "X-API-Key";
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeyFilter.class);
    private final ApiKeys keys;
    private final Problems problems;

    public ApiKeyFilter(ApiKeys keys, Problems problems) {
        this.keys = keys;
        this.problems = problems;
    }

    @Override
    public int getOrder() {
        return ServerFilterPhase.SECURITY.order();
    }

    @RequestFilter
    @Nullable
    public HttpResponse<?> check(HttpRequest<?> request) {
        if (keys.disabled()) {
            return null;
        }
        String presented = request.getHeaders().get(HEADER);
        ApiKeys.Role role = keys.roleOf(presented);
        if (role == ApiKeys.Role.NONE) {
            String rid = RequestIds.of(request);
            LOG.warn("request {}: rejected, {} API key", rid, presented == null || presented.isEmpty() ? "no" : "unknown");
            return problems.response(request, HttpStatus.UNAUTHORIZED, "unauthorized", "Unauthorized",
                    presented == null || presented.isEmpty()
                            ? "Send an API key in the " + HEADER + " header."
                            : "The API key in " + HEADER + " is not valid for this server.")
                    .header("WWW-Authenticate", "ApiKey header=\"" + HEADER + "\"");
        }
        if (adminOnly(request) && role != ApiKeys.Role.ADMIN) {
            LOG.warn("request {}: rejected, admin operation with a non-admin key", RequestIds.of(request));
            return problems.response(request, HttpStatus.FORBIDDEN, "forbidden", "Forbidden",
                    "Reloading a model needs an admin key; this key may only detect and read the models.");
        }
        return null;
    }

    static boolean adminOnly(HttpRequest<?> request) {
        return request.getMethod() == HttpMethod.POST && request.getPath().startsWith("/v1/models/")
                && request.getPath().endsWith("/reload");
    }
}
