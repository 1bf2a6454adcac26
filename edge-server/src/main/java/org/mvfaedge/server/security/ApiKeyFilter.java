package org.mvfaedge.server.security;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Filter;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import io.micronaut.web.router.RouteAttributes;
import io.micronaut.web.router.RouteMatch;
import java.util.Optional;
import org.mvfaedge.server.config.ServerSettings;
import org.mvfaedge.server.http.ConnectionLimiter;
import org.mvfaedge.server.http.Problems;
import org.mvfaedge.server.http.RequestIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * X-API-Key on every request: 401 when missing or unknown, 403 when a scanner key (not an admin key)
 * calls an admin operation.
 *
 * <p>What a request may do is decided on the route the router matched, never on the path's text: the
 * router accepts several spellings of one route (a trailing slash, for one), and a check on the text
 * let {@code POST /v1/models/x/reload/} through with a scanner key. A matched route needs a key unless it
 * is marked {@link OpenAccess} (health probes), or it is the metrics endpoint and
 * {@code mvfa.metrics.require-key} is false; it needs an admin key when marked {@link AdminOnly}. A
 * request that matched no route needs a key too, except a GET of the API description's static files
 * (/swagger, /swagger-ui), which are the same for everyone.
 *
 * <p>The role found is kept on the request ({@link CallerRole}) for the routes' own checks, and a
 * connection that presented a valid key is marked as such for the {@link ConnectionLimiter} (which
 * closes connections that never do).
 */
@ServerFilter(Filter.MATCH_ALL_PATTERN)
public class ApiKeyFilter implements Ordered {
    public static final String HEADER = "X-API-Key";
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeyFilter.class);
    private static final String ENDPOINT = "io.micronaut.management.endpoint.annotation.Endpoint";
    private final ApiKeys keys;
    private final Problems problems;
    private final boolean metricsNeedKey;

    public ApiKeyFilter(ApiKeys keys, Problems problems, ServerSettings settings) {
        this.keys = keys;
        this.problems = problems;
        this.metricsNeedKey = settings.getMetrics().isRequireKey();
    }

    @Override
    public int getOrder() {
        return ServerFilterPhase.SECURITY.order();
    }

    @RequestFilter
    @Nullable
    public HttpResponse<?> check(HttpRequest<?> request) {
        String presented = request.getHeaders().get(HEADER);
        ApiKeys.Role role = keys.roleOf(presented);
        CallerRole.set(request, role);
        if (role != ApiKeys.Role.NONE && !keys.disabled()) {
            ConnectionLimiter.markAuthenticated(request);
        }
        Optional<RouteMatch<?>> route = RouteAttributes.getRouteMatch(request);
        if (keys.disabled() || !needsKey(request, route)) {
            return null;
        }
        if (role == ApiKeys.Role.NONE) {
            String rid = RequestIds.of(request);
            LOG.warn("request {}: rejected, {} API key", rid, presented == null || presented.isEmpty() ? "no" : "unknown");
            return problems.response(request, HttpStatus.UNAUTHORIZED, "unauthorized", "Unauthorized",
                    presented == null || presented.isEmpty()
                            ? "Send an API key in the " + HEADER + " header."
                            : "The API key in " + HEADER + " is not valid for this server.")
                    .header("WWW-Authenticate", "ApiKey header=\"" + HEADER + "\"");
        }
        if (route.map(r -> r.getAnnotationMetadata().hasAnnotation(AdminOnly.class)).orElse(false) && role != ApiKeys.Role.ADMIN) {
            LOG.warn("request {}: rejected, admin operation with a non-admin key", RequestIds.of(request));
            return problems.response(request, HttpStatus.FORBIDDEN, "forbidden", "Forbidden",
                    "This operation needs an admin key; this key may only detect and read the models.");
        }
        return null;
    }

    private boolean needsKey(HttpRequest<?> request, Optional<RouteMatch<?>> route) {
        if (route.isPresent()) {
            RouteMatch<?> r = route.get();
            if (r.getAnnotationMetadata().hasAnnotation(OpenAccess.class)) {
                return false;
            }
            return metricsNeedKey || !r.getAnnotationMetadata().hasStereotype(ENDPOINT);
        }
        return !apiDescription(request);
    }

    /** The OpenAPI document and its browser UI: static files, served only when no route matched. */
    private static boolean apiDescription(HttpRequest<?> request) {
        String path = request.getPath();
        return (request.getMethod() == HttpMethod.GET || request.getMethod() == HttpMethod.HEAD)
                && (path.startsWith("/swagger/") || path.startsWith("/swagger-ui/"));
    }
}
