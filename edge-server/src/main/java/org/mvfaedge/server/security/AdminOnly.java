package org.mvfaedge.server.security;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a route that only an admin key may call. {@link ApiKeyFilter} reads it from the route the router
 * matched, so every spelling of the path that reaches the route (trailing slash, doubled slashes, escapes)
 * is checked alike; the annotated method checks the role again ({@link CallerRole#requireAdmin}).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface AdminOnly {
}
