package org.mvfaedge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.exceptions.ConfigurationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mvfaedge.server.config.ServerSettings;
import org.mvfaedge.server.http.ConnectionLimiter;

/**
 * mvfa.limits.max-connections over real loopback sockets: with a cap of 2 and two keep-alive
 * connections open, a third gets 503 + Retry-After + problem+json and is closed; once one of the two
 * closes, a new connection is served again. The gauge and the counter follow.
 */
class ConnectionLimitTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(List.of(TestPackages.brainFew()),
                Map.of("mvfa.limits.max-connections", 2, "mvfa.limits.retry-after-seconds", 3,
                        "mvfa.limits.health-reserve", 0));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void thirdConnectionIsRefusedThenServedAfterOneCloses() throws Exception {
        ConnectionLimiter limiter = server.bean(ConnectionLimiter.class);
        MeterRegistry meters = server.bean(MeterRegistry.class);
        assertEquals(2, limiter.max());
        waitUntil(() -> limiter.active() == 0, "no connection open at the start (was " + limiter.active() + ")");
        double refusedBefore = refused(meters);

        try (Socket a = connect(); Socket b = connect()) {
            // Two keyed keep-alive connections, each served once and left open (keyless ones are closed
            // after their answer, see HardeningTest / SlowHeaderTest).
            assertEquals(200, exchange(a, "/health/liveness").status);
            assertEquals(200, exchange(b, "/health/liveness").status);
            waitUntil(() -> limiter.active() == 2, "two connections counted (was " + limiter.active() + ")");
            assertEquals(2.0, meters.get("mvfa.connections.active").gauge().value());

            try (Socket c = connect()) {
                Reply r = exchange(c, "/health/liveness?x=1");
                assertEquals(503, r.status, r.body);
                assertEquals("3", r.headers.get("retry-after"), r.headers.toString());
                assertEquals("application/problem+json", r.headers.get("content-type").split(";")[0]);
                assertEquals("close", r.headers.get("connection"));
                JsonNode p = JSON.readTree(r.body);
                assertEquals("urn:mvfa-edge:problem:too-many-connections", p.get("type").asText(), r.body);
                assertEquals(503, p.get("status").asInt());
                assertFalse(p.get("title").asText().isBlank());
                assertTrue(p.get("detail").asText().contains("2"), r.body);
                assertEquals("/health/liveness", p.get("instance").asText());
                assertEquals(r.headers.get("x-request-id"), p.get("request_id").asText());
                // The server closed it: end of stream, nothing more.
                assertEquals(-1, c.getInputStream().read(), "refused connection closed by the server");
            }
            assertEquals(refusedBefore + 1, refused(meters));
            assertEquals(2, limiter.active(), "a refused connection is not counted");

            // The first two still work (keep-alive), and one closing frees a place.
            assertEquals(200, exchange(b, "/health/liveness").status);
            a.close();
            waitUntil(() -> limiter.active() == 1, "closed connection uncounted (was " + limiter.active() + ")");
            try (Socket d = connect()) {
                assertEquals(200, exchange(d, "/health/liveness").status);
                waitUntil(() -> limiter.active() == 2, "new connection counted (was " + limiter.active() + ")");
            }
        }
        waitUntil(() -> limiter.active() == 0, "all closed (was " + limiter.active() + ")");
        String prom = server.get("/prometheus", TestServer.USER_KEY).body();
        assertTrue(prom.contains("mvfa_connections_active"), "gauge exported");
        assertTrue(prom.contains("mvfa_connections_refused_total"), "counter exported");
    }

    @Test
    void limitBelowOneIsAConfigurationError() {
        ServerSettings settings = new ServerSettings();
        settings.getLimits().setMaxConnections(0);
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> new ConnectionLimiter(settings, null, null));
        assertTrue(e.getMessage().contains("mvfa.limits.max-connections"), e.getMessage());
    }

    private static double refused(MeterRegistry meters) {
        return meters.find("mvfa.connections.refused").counters().stream().mapToDouble(Counter::count).sum();
    }

    private static Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", server.server.getPort());
        s.setSoTimeout(20_000);
        return s;
    }

    private static void waitUntil(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(20);
        }
    }

    private record Reply(int status, Map<String, String> headers, String body) {
    }

    /** One HTTP/1.1 GET on a held socket; reads exactly one response (Content-Length or chunked). */
    private static Reply exchange(Socket s, String path) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\nX-API-Key: "
                + TestServer.USER_KEY + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new TreeMap<>();
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int n = Integer.parseInt(line(in).split(";")[0].trim(), 16); n > 0;
                    n = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                body.write(in.readNBytes(n));
                line(in);
            }
            line(in);
        }
        return new Reply(status, headers, body.toString(StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed mid-response after: " + b);
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }
}
