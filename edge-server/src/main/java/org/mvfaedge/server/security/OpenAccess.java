package org.mvfaedge.server.security;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a route that answers without an API key (liveness and readiness probes). Every other route needs
 * a key; {@link ApiKeyFilter} reads this from the route the router matched, never from the path text.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface OpenAccess {
}
