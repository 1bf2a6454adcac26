package org.mvfaedge.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The service's own Prometheus metrics (scraped at /prometheus): request counts and latency histograms
 * by endpoint and outcome, inference latency per model, inferences cancelled at the deadline per model,
 * queue depth, inferences running, models loaded, reloads by outcome, connections open and refused. Tag values come from small fixed sets (endpoint names, status codes, configured
 * model ids), never from request content.
 */
@Singleton
public class ServerMetrics {
    private final MeterRegistry registry;

    public ServerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One finished HTTP request. */
    public void request(String endpoint, int status, long nanos) {
        Timer.builder("mvfa.http.requests").description("HTTP requests by endpoint and outcome")
                .tag("endpoint", endpoint).tag("status", Integer.toString(status)).tag("outcome", outcome(status))
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Model inference time (the graph run only, from the SDK's timings). */
    public void inference(String model, double millis) {
        Timer.builder("mvfa.inference").description("Model inference time (graph run)").tag("model", model)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry)
                .record((long) (millis * 1_000_000), TimeUnit.NANOSECONDS);
    }

    /** Time a request waited for an inference slot. */
    public void queueWait(long nanos) {
        Timer.builder("mvfa.queue.wait").description("Time waiting for an inference slot").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** An inference stopped because its request's deadline passed (its slot came back early). */
    public void inferenceCancelled(String model) {
        Counter.builder("mvfa.inference.cancelled").description("Inferences cancelled at their request's deadline")
                .tag("model", model).register(registry).increment();
    }

    /**
     * A connection refused with 503: {@code full} (mvfa.limits.max-connections open and none could give way),
     * {@code per-address} (max-connections-per-address from its address), {@code reserve-non-health} (a probe
     * reserve connection asked for something else).
     */
    public void connectionRefused(String reason) {
        Counter.builder("mvfa.connections.refused")
                .description("HTTP connections refused with 503 by the connection limits").tag("reason", reason)
                .register(registry).increment();
    }

    /**
     * A connection the server closed to protect the others: {@code head-timeout} (no request head within
     * mvfa.limits.request-head-timeout), {@code evicted-pending} (gave its place to a new connection while
     * still without a request head), {@code no-key} (answered, and never presented a valid key).
     */
    public void connectionClosed(String reason) {
        Counter.builder("mvfa.connections.closed")
                .description("HTTP connections closed by the server to protect the others").tag("reason", reason)
                .register(registry).increment();
    }

    public void reload(String model, boolean ok) {
        Counter.builder("mvfa.model.reloads").tag("model", model).tag("outcome", ok ? "ok" : "failed")
                .register(registry).increment();
    }

    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).strongReference(true).register(registry);
    }

    static String outcome(int status) {
        if (status < 400) {
            return "success";
        }
        if (status == 503) {
            return "rejected";
        }
        if (status == 504) {
            return "timeout";
        }
        return status < 500 ? "client_error" : "server_error";
    }
}
