package org.mvfaedge.server.http;

import io.micrometer.core.instrument.config.MeterFilter;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

/**
 * Micronaut's HTTP metrics tag each request with the simple name of the exception it ended in; those names
 * tell a reader of /prometheus which libraries and code paths the server has. The tag is dropped from every
 * meter (the status and outcome tags say what a monitor needs).
 */
@Factory
public class MetricsPrivacy {
    @Bean
    @Singleton
    MeterFilter noExceptionTags() {
        return MeterFilter.ignoreTags("exception");
    }
}
