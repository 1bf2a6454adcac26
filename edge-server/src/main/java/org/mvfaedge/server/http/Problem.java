package org.mvfaedge.server.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/**
 * An RFC 9457 problem document ({@code application/problem+json}).
 *
 * @param type URI naming the kind of problem ({@code urn:mvfa-edge:problem:<slug>})
 * @param title short summary of the kind of problem
 * @param status the HTTP status
 * @param detail what went wrong with this request and what to do about it
 * @param instance the request path
 * @param requestId the request id (also in the X-Request-Id header and the server log)
 */
@Serdeable
public record Problem(String type, String title, int status, String detail, @Nullable String instance,
        @JsonProperty("request_id") @Nullable String requestId) {
    public static final String MEDIA_TYPE = "application/problem+json";

    public static String typeUri(String slug) {
        return "urn:mvfa-edge:problem:" + slug;
    }
}
