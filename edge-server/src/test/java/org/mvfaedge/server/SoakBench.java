package org.mvfaedge.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.mvfaedge.server.security.ApiKeys;

/**
 * Soak test of the server, run only on request (the class name does not match surefire's test patterns, so
 * {@code mvn verify} skips it): {@code mvn -pl edge-server test -Dtest=SoakBench -Dmvfa.soak.seconds=600}.
 *
 * <p>The server runs in a child JVM ({@code mvfa-edge serve}, loopback only) with a fixed heap
 * ({@code -Xms = -Xmx}, so the heap's own growth is not mistaken for a leak) and {@code MALLOC_ARENA_MAX=2}
 * (glibc otherwise adds an arena per thread that touches malloc, which grows the resident size in steps that
 * say nothing about leaks), on the fixture's few-shot package. {@code mvfa.soak.clients} clients (16) send for
 * {@code mvfa.soak.seconds} (600) a mix of good PNGs (raw and multipart), bad bodies (damaged PNG: 422; text:
 * 415) and oversized ones (over the 4 MB body limit set here: 413), while an admin reloads the model every
 * {@code mvfa.soak.reload-seconds} (30), alternating between the few-shot and the zero-shot package. It
 * reports requests by status, p50/p99 latency, and the server's resident memory (VmRSS from /proc) after a
 * warm-up ("start"), at half time ("middle") and at the end, and asserts: only 200, 4xx for bad input, 413 and
 * 503; every reload answered 200; resident memory at the end within 10 % of the middle.
 */
class SoakBench {
    private static final String KEY = "soak-user-key";
    private static final String ADMIN = "soak-admin-key";

    record Sample(String label, double atSeconds, long rssKb) {
    }

    @Test
    void soak() throws Exception {
        int seconds = Integer.getInteger("mvfa.soak.seconds", 600);
        int clients = Integer.getInteger("mvfa.soak.clients", 16);
        int reloadEvery = Integer.getInteger("mvfa.soak.reload-seconds", 30);
        int warmup = Integer.getInteger("mvfa.soak.warmup-seconds", Math.min(60, Math.max(5, seconds / 10)));
        Path few = TestPackages.brainFew();
        Path zero = TestPackages.brainZero();
        byte[] png = Files.readAllBytes(TestPackages.image(0));
        byte[] png2 = Files.readAllBytes(TestPackages.image(1));
        byte[] damaged = png.clone();
        for (int i = 40; i < damaged.length; i++) {
            damaged[i] = (byte) (i * 31);
        }
        byte[] oversized = new byte[5 << 20];
        System.arraycopy(png, 0, oversized, 0, png.length);

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = Path.of("target", "soak", "server.log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String heap = System.getProperty("mvfa.soak.heap", "768m");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xms" + heap, "-Xmx" + heap, "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), "org.mvfaedge.server.cli.EdgeMain", "serve",
                "--model", "brain=" + few, "--port", Integer.toString(port), "--host", "127.0.0.1",
                "--micronaut.server.max-request-size=4MB", "--micronaut.server.max-request-buffer-size=4MB",
                "--micronaut.server.multipart.max-file-size=4MB", "--mvfa.providers=CPU",
                "--mvfa.model-roots=" + few.getParent());
        pb.environment().put("MALLOC_ARENA_MAX", "2");
        pb.environment().put("MVFA_API_KEYS", ApiKeys.sha256Hex(KEY));
        pb.environment().put("MVFA_ADMIN_KEYS", ApiKeys.sha256Hex(ADMIN));
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process server = pb.start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        URI base = URI.create("http://127.0.0.1:" + port);
        try {
            awaitReady(http, base, server, log);
            Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
            Map<String, LongAdder> byKind = new ConcurrentHashMap<>();
            List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
            List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
            List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean stop = new AtomicBoolean();
            AtomicBoolean measuring = new AtomicBoolean();
            AtomicInteger reloads = new AtomicInteger();
            AtomicInteger reloadFailures = new AtomicInteger();
            String boundary = "soakBoundary7d3f";
            byte[] multipart = multipart(boundary, png2);
            ExecutorService pool = Executors.newFixedThreadPool(clients + 2);
            for (int c = 0; c < clients; c++) {
                long seed = c;
                pool.submit(() -> {
                    Random rnd = new Random(seed);
                    while (!stop.get()) {
                        int pick = rnd.nextInt(100);
                        String kind;
                        String type;
                        byte[] body;
                        if (pick < 60) {
                            kind = "good-raw";
                            type = "image/png";
                            body = png;
                        } else if (pick < 75) {
                            kind = "good-multipart";
                            type = "multipart/form-data; boundary=" + boundary;
                            body = multipart;
                        } else if (pick < 85) {
                            kind = "bad-damaged-png";
                            type = "image/png";
                            body = damaged;
                        } else if (pick < 92) {
                            kind = "bad-text";
                            type = "text/plain";
                            body = "not an image".getBytes(StandardCharsets.UTF_8);
                        } else {
                            kind = "oversized";
                            type = "application/octet-stream";
                            body = oversized;
                        }
                        long t0 = System.nanoTime();
                        int status;
                        try {
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/detect"))
                                    .timeout(Duration.ofSeconds(120)).header("X-API-Key", KEY).header("Content-Type", type)
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            status = r.statusCode();
                            if (!allowed(kind, status)) {
                                unexpected.add(kind + " -> " + status + " " + clip(r.body()));
                            }
                        } catch (IOException e) {
                            // an oversized body may be cut off by the server's 413 before it is sent whole
                            status = kind.equals("oversized") ? 413 : -1;
                            if (status < 0) {
                                unexpected.add(kind + " -> " + e);
                            }
                        } catch (InterruptedException e) {
                            return;
                        }
                        if (measuring.get()) {
                            latencies.add((System.nanoTime() - t0) / 1e6);
                            byStatus.computeIfAbsent(status, k -> new LongAdder()).increment();
                            byKind.computeIfAbsent(kind + " " + status, k -> new LongAdder()).increment();
                        }
                    }
                });
            }
            long start = System.nanoTime();
            Thread.sleep(warmup * 1000L);
            measuring.set(true);
            long t0 = System.nanoTime();
            samples.add(new Sample("start", 0, rssKb(server.pid())));
            boolean middleTaken = false;
            long nextReload = t0 + reloadEvery * 1_000_000_000L;
            long nextSample = t0 + 30_000_000_000L;
            long end = t0 + seconds * 1_000_000_000L;
            boolean zeroNext = true;
            while (System.nanoTime() < end) {
                Thread.sleep(250);
                long now = System.nanoTime();
                if (!server.isAlive()) {
                    throw new AssertionError("the server died; see " + log);
                }
                if (now >= nextReload) {
                    Path to = zeroNext ? zero : few;
                    zeroNext = !zeroNext;
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/models/brain/reload"))
                            .timeout(Duration.ofSeconds(120)).header("X-API-Key", ADMIN).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"path\":\"" + to + "\"}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    reloads.incrementAndGet();
                    if (r.statusCode() != 200) {
                        reloadFailures.incrementAndGet();
                        unexpected.add("reload -> " + r.statusCode() + " " + clip(r.body()));
                    }
                    nextReload += reloadEvery * 1_000_000_000L;
                }
                if (!middleTaken && now >= t0 + (end - t0) / 2) {
                    samples.add(new Sample("middle", (now - t0) / 1e9, rssKb(server.pid())));
                    middleTaken = true;
                } else if (now >= nextSample) {
                    samples.add(new Sample("", (now - t0) / 1e9, rssKb(server.pid())));
                    nextSample += 30_000_000_000L;
                }
            }
            measuring.set(false);
            samples.add(new Sample("end", (System.nanoTime() - t0) / 1e9, rssKb(server.pid())));
            stop.set(true);
            pool.shutdown();
            pool.awaitTermination(3, TimeUnit.MINUTES);
            double measured = (System.nanoTime() - t0) / 1e9;

            List<Double> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            long total = byStatus.values().stream().mapToLong(LongAdder::sum).sum();
            StringBuilder report = new StringBuilder();
            report.append(String.format(Locale.ROOT, "soak: %d clients, %.0f s measured after %d s warm-up (%.0f s in all),"
                    + " reload every %d s (%d reloads, %d failed), server heap %s fixed, MALLOC_ARENA_MAX=2%n", clients,
                    measured, warmup, (System.nanoTime() - start) / 1e9, reloadEvery, reloads.get(), reloadFailures.get(), heap));
            report.append(String.format(Locale.ROOT, "requests: %d (%.1f/s); by status: %s%n", total, total / measured,
                    new TreeMap<>(sum(byStatus))));
            report.append("by kind and status: ").append(new TreeMap<>(sum(byKind))).append('\n');
            report.append(String.format(Locale.ROOT, "latency ms: p50 %.1f, p99 %.1f, max %.1f%n", LoadTool.percentile(sorted, 0.5),
                    LoadTool.percentile(sorted, 0.99), sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1)));
            long middle = samples.stream().filter(x -> x.label().equals("middle")).findFirst().orElseThrow().rssKb();
            long last = samples.get(samples.size() - 1).rssKb();
            for (Sample x : samples) {
                report.append(String.format(Locale.ROOT, "rss %-6s at %6.1f s: %7.1f MB%n", x.label(), x.atSeconds(), x.rssKb() / 1024.0));
            }
            double change = 100.0 * (last - middle) / middle;
            report.append(String.format(Locale.ROOT, "rss end vs middle: %+.1f %%%n", change));
            if (!unexpected.isEmpty()) {
                report.append("unexpected (first 20 of ").append(unexpected.size()).append("): ")
                        .append(unexpected.subList(0, Math.min(20, unexpected.size()))).append('\n');
            }
            System.out.print(report);
            Files.writeString(log.resolveSibling("report.txt"), report.toString());
            assertTrue(unexpected.isEmpty(), "statuses other than 200, 4xx for bad input, 413, 503: " + unexpected.size());
            assertTrue(Math.abs(change) <= 10.0, "resident memory at the end is " + String.format(Locale.ROOT, "%+.1f", change)
                    + " % from the middle (limit 10 %)");
        } finally {
            server.destroy();
            if (!server.waitFor(60, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static Map<String, Long> sum(Map<?, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v.sum()));
        return out;
    }

    /** 200 for good input; 422/415 for bad; 413 for oversized; 503 (queue full) for any. */
    static boolean allowed(String kind, int status) {
        if (status == 503) {
            return true;
        }
        return switch (kind) {
            case "good-raw", "good-multipart" -> status == 200;
            case "bad-damaged-png" -> status == 422 || status == 400;
            case "bad-text" -> status == 415;
            case "oversized" -> status == 413;
            default -> false;
        };
    }

    private static byte[] multipart(String boundary, byte[] png) {
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"scan.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + png.length + tail.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(png, 0, out, head.length, png.length);
        System.arraycopy(tail, 0, out, head.length + png.length, tail.length);
        return out;
    }

    private static void awaitReady(HttpClient http, URI base, Process server, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new AssertionError("the server exited with " + server.exitValue() + ": " + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(base.resolve("/health/readiness")).timeout(Duration.ofSeconds(5)).GET()
                        .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the server did not become ready in 3 minutes; see " + log);
    }

    /** Resident set size of a process in kB (VmRSS in /proc/PID/status). */
    static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for process " + pid);
    }

    private static String clip(String s) {
        return s == null ? "" : s.length() > 160 ? s.substring(0, 160) + "..." : s;
    }
}
