package org.mvfaedge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mvfaedge.server.http.ConnectionLimiter;

/**
 * Each rule of the connection guard on real loopback sockets, from several source addresses: the head
 * deadline, the per-address cap, pending connections giving way to a new one, keyless connections closed
 * after their answer, and the reserve for health probes. Cap 4, 2 per address, reserve 1, head deadline 1 s.
 */
class ConnectionGuardTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer server;
    private final List<Socket> open = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(List.of(TestPackages.brainFew()), Map.of("mvfa.limits.max-connections", 4,
                "mvfa.limits.max-connections-per-address", 2, "mvfa.limits.health-reserve", 1,
                "mvfa.limits.request-head-timeout", "1s"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void closeSockets() throws IOException {
        for (Socket s : open) {
            s.close();
        }
        open.clear();
    }

    @BeforeEach
    void idle() throws Exception {
        ConnectionLimiter limiter = server.bean(ConnectionLimiter.class);
        waitUntil(() -> limiter.active() == 0, "no connection open at the start (was " + limiter.active() + ")");
    }

    private Socket socket(String from) throws IOException {
        Socket s = RawHttp.connect(server.server.getPort(), from);
        open.add(s);
        return s;
    }

    /** A keyed keep-alive request on {@code s}; the connection stays open. */
    private static RawHttp.Reply keyed(Socket s, String path) throws IOException {
        RawHttp.send(s, "GET", path, Map.of("X-API-Key", TestServer.USER_KEY), null, false);
        return RawHttp.read(s.getInputStream());
    }

    private static RawHttp.Reply keyless(Socket s, String path) throws IOException {
        RawHttp.send(s, "GET", path, Map.of(), null, false);
        return RawHttp.read(s.getInputStream());
    }

    private static boolean closedByServer(Socket s, long withinMillis) throws IOException {
        s.setSoTimeout((int) withinMillis);
        try {
            return s.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    @Test
    void aConnectionWithoutARequestHeadIsClosedAtTheDeadline() throws Exception {
        Socket silent = socket("127.0.0.2");
        long t0 = System.nanoTime();
        assertTrue(closedByServer(silent, 5_000), "silent connection still open after 5 s");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 800 && ms < 3_000, "closed after " + ms + " ms, deadline 1 s");
        Socket trickle = socket("127.0.0.2");
        trickle.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes());
        assertTrue(closedByServer(trickle, 5_000), "an unfinished head is closed too");
    }

    @Test
    void oneAddressHoldsAtMostItsShare() throws Exception {
        Socket a = socket("127.0.0.3");
        Socket b = socket("127.0.0.3");
        assertEquals(200, keyed(a, "/v1/models").status());
        assertEquals(200, keyed(b, "/v1/models").status());
        Socket c = socket("127.0.0.3");
        RawHttp.Reply refused = keyed(c, "/v1/models");
        assertEquals(503, refused.status(), refused.text());
        assertEquals("urn:mvfa-edge:problem:too-many-connections", JSON.readTree(refused.body()).get("type").asText());
        assertEquals(200, keyed(socket("127.0.0.4"), "/v1/models").status(), "another address is still served");
    }

    @Test
    void pendingConnectionsGiveWayToANewClient() throws Exception {
        List<Socket> silent = List.of(socket("127.0.0.5"), socket("127.0.0.5"), socket("127.0.0.6"), socket("127.0.0.6"));
        ConnectionLimiter limiter = server.bean(ConnectionLimiter.class);
        waitUntil(() -> limiter.active() == 4, "the cap is full of silent connections (" + limiter.active() + ")");
        Socket client = socket("127.0.0.1");
        assertEquals(200, keyed(client, "/v1/models").status(), "a new client takes a silent connection's place");
        int closed = 0;
        for (Socket s : silent) {
            closed += closedByServer(s, 300) ? 1 : 0;
        }
        assertEquals(1, closed, "exactly one silent connection gave way");
        assertEquals(200, keyed(client, "/v1/models").status(), "the keyed connection stays open for keep-alive");
    }

    @Test
    void aKeylessConnectionIsClosedAfterItsAnswer() throws Exception {
        Socket probe = socket("127.0.0.7");
        RawHttp.Reply r = keyless(probe, "/health/liveness");
        assertEquals(200, r.status());
        assertEquals("close", r.headers().get("connection"));
        assertTrue(closedByServer(probe, 2_000), "keyless connection closed after its answer");
        Socket unauthorised = socket("127.0.0.7");
        assertEquals(401, keyless(unauthorised, "/v1/models").status());
        assertTrue(closedByServer(unauthorised, 2_000), "a 401 closes the connection");
    }

    @Test
    void healthProbesHaveAReserveWhenTheCapIsFull() throws Exception {
        for (String from : List.of("127.0.0.8", "127.0.0.8", "127.0.0.9", "127.0.0.9")) {
            assertEquals(200, keyed(socket(from), "/v1/models").status());
        }
        ConnectionLimiter limiter = server.bean(ConnectionLimiter.class);
        waitUntil(() -> limiter.active() == 4, "the cap is full of keyed connections (" + limiter.active() + ")");
        Socket first = socket("127.0.0.10");
        RawHttp.Reply probe = keyless(first, "/health/readiness");
        assertEquals(200, probe.status(), "a probe is answered over the full cap: " + probe.text());
        assertTrue(closedByServer(first, 2_000), "and its connection closed, freeing the reserve place");
        RawHttp.Reply detect = keyed(socket("127.0.0.10"), "/v1/models");
        assertEquals(503, detect.status(), "a reserve connection serves health only: " + detect.text());
    }

    private static void waitUntil(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(20);
        }
    }
}
