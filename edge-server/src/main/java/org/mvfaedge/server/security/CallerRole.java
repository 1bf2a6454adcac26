package org.mvfaedge.server.security;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import org.mvfaedge.server.http.ApiException;

/** The role {@link ApiKeyFilter} found for a request, kept on the request for the controllers' own checks. */
public final class CallerRole {
    static final String ATTRIBUTE = "mvfa.callerRole";

    private CallerRole() {
    }

    static void set(HttpRequest<?> request, ApiKeys.Role role) {
        request.setAttribute(ATTRIBUTE, role);
    }

    /** The caller's role; NONE when the key filter did not vouch for the request. */
    public static ApiKeys.Role of(HttpRequest<?> request) {
        return request.getAttribute(ATTRIBUTE, ApiKeys.Role.class).orElse(ApiKeys.Role.NONE);
    }

    /**
     * The second check of an {@link AdminOnly} route, inside the route itself: if the filter ever failed to
     * see the annotation, the operation still does not run for a non-admin caller.
     */
    public static void requireAdmin(HttpRequest<?> request) {
        if (of(request) != ApiKeys.Role.ADMIN) {
            throw new ApiException(HttpStatus.FORBIDDEN, "forbidden", "Forbidden",
                    "This operation needs an admin key; this key may only detect and read the models.");
        }
    }
}
