package org.mvfaedge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Finding 2 (high) of the server's attack: keyless clients must not lock keyed ones out. 100 sockets from
 * four other loopback addresses (127.0.0.2-5) each send a request line and then one header line every 2 s,
 * reconnecting whenever the server drops them, for 20 s; meanwhile a keyed client on 127.0.0.1 sends a
 * detection and a readiness probe, each on a new connection, about every 250 ms. Before the fix the 100
 * sockets held the whole cap (64) and every real request got 503; now every keyed request and every probe
 * must answer 200. Figures are printed.
 */
class SlowHeaderTest {
    private static final int ATTACKERS = 100;
    private static final long ATTACK_MILLIS = 20_000;

    @Test
    void finding2SlowHeaderClientsCannotLockOutKeyedClients() throws Exception {
        byte[] png = Files.readAllBytes(TestPackages.image(0));
        try (TestServer s = TestServer.start(List.of(TestPackages.brainFew()), Map.of())) {
            int port = s.server.getPort();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger attackerConnects = new AtomicInteger();
            AtomicInteger attackerDropped = new AtomicInteger();
            Thread attack = new Thread(() -> slowloris(port, stop, attackerConnects, attackerDropped), "slowloris");
            attack.setDaemon(true);
            attack.start();
            Thread.sleep(3_000); // let the attack fill the server first

            Map<String, Integer> statuses = new TreeMap<>();
            List<Long> detectMillis = Collections.synchronizedList(new ArrayList<>());
            List<Long> probeMillis = Collections.synchronizedList(new ArrayList<>());
            long end = System.currentTimeMillis() + ATTACK_MILLIS - 3_000;
            while (System.currentTimeMillis() < end) {
                long t0 = System.nanoTime();
                RawHttp.Reply d = RawHttp.exchange(port, "127.0.0.1", "POST", "/v1/detect",
                        Map.of("X-API-Key", TestServer.USER_KEY, "Content-Type", "image/png"), png);
                detectMillis.add((System.nanoTime() - t0) / 1_000_000);
                statuses.merge("detect " + d.status(), 1, Integer::sum);
                long t1 = System.nanoTime();
                RawHttp.Reply r = RawHttp.exchange(port, "127.0.0.1", "GET", "/health/readiness", Map.of(), null);
                probeMillis.add((System.nanoTime() - t1) / 1_000_000);
                statuses.merge("readiness " + r.status(), 1, Integer::sum);
                Thread.sleep(250);
            }
            stop.set(true);
            attack.join(10_000);

            MeterRegistry meters = s.bean(MeterRegistry.class);
            System.out.printf("finding 2, slow headers: %d attacker sockets from 127.0.0.2-5 for %.0f s (%d connects,"
                    + " %d dropped by the server); keyed client on 127.0.0.1: %s; detect p50 %d ms, p99 %d ms, max %d ms;"
                    + " readiness p50 %d ms, max %d ms; server: closed %s, refused %s%n", ATTACKERS, ATTACK_MILLIS / 1e3,
                    attackerConnects.get(), attackerDropped.get(), statuses, pct(detectMillis, 50), pct(detectMillis, 99),
                    pct(detectMillis, 100), pct(probeMillis, 50), pct(probeMillis, 100), counts(meters, "mvfa.connections.closed"),
                    counts(meters, "mvfa.connections.refused"));
            int detects = statuses.getOrDefault("detect 200", 0);
            int probes = statuses.getOrDefault("readiness 200", 0);
            assertTrue(detects >= 10, "too few keyed requests ran: " + statuses);
            assertEquals(detects * 2, detects + probes, "every probe answered 200: " + statuses);
            assertEquals(detects + probes, statuses.values().stream().mapToInt(Integer::intValue).sum(),
                    "every keyed request and probe answered 200 during the attack: " + statuses);
            assertTrue(attackerConnects.get() > ATTACKERS, "the attack really ran and was cut off: " + attackerConnects);
        }
    }

    /** 100 slow-header sockets; every 2 s one more header line each; a dropped socket reconnects at the next tick. */
    private static void slowloris(int port, AtomicBoolean stop, AtomicInteger connects, AtomicInteger dropped) {
        Socket[] sockets = new Socket[ATTACKERS];
        try {
            for (int tick = 0; !stop.get(); tick++) {
                for (int i = 0; i < ATTACKERS && !stop.get(); i++) {
                    try {
                        if (sockets[i] == null) {
                            sockets[i] = RawHttp.connect(port, "127.0.0." + (2 + i % 4));
                            connects.incrementAndGet();
                            OutputStream out = sockets[i].getOutputStream();
                            out.write(("POST /v1/detect HTTP/1.1\r\nHost: 127.0.0.1\r\n").getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                        } else {
                            OutputStream out = sockets[i].getOutputStream();
                            out.write(("X-Slow-" + tick + ": " + i + "\r\n").getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                            sockets[i].setSoTimeout(1);
                            try {
                                if (sockets[i].getInputStream().read() < 0) {
                                    throw new IOException("closed by the server");
                                }
                            } catch (java.net.SocketTimeoutException stillOpen) {
                                // nothing from the server: still held
                            }
                        }
                    } catch (IOException e) {
                        dropped.incrementAndGet();
                        close(sockets[i]);
                        sockets[i] = null;
                    }
                }
                sleep(2_000);
            }
        } finally {
            for (Socket s : sockets) {
                close(s);
            }
        }
    }

    private static long pct(List<Long> values, int p) {
        List<Long> v = new ArrayList<>(values);
        Collections.sort(v);
        return v.isEmpty() ? -1 : v.get(Math.min(v.size() - 1, (int) Math.ceil(p / 100.0 * v.size()) - 1 < 0 ? 0
                : (int) Math.ceil(p / 100.0 * v.size()) - 1));
    }

    private static Map<String, Double> counts(MeterRegistry meters, String name) {
        Map<String, Double> out = new TreeMap<>();
        for (Counter c : meters.find(name).counters()) {
            String reason = c.getId().getTag("reason");
            out.merge(reason == null ? "all" : reason, c.count(), Double::sum);
        }
        return out;
    }

    private static void close(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing an attacker socket
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
