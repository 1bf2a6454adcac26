package org.mvfaedge.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small bounded load generator for POST /v1/detect: loopback only, a fixed number of requests per
 * level of concurrency, a time limit; prints requests/s and p50/p99 latency per level.
 *
 * <pre>
 * java -cp ... org.mvfaedge.server.LoadTool --url http://127.0.0.1:8080 --image scan.png [--key K]
 *      [--model id] [--requests 200] [--levels 1,4,16] [--time-limit-s 120]
 * java -cp ... org.mvfaedge.server.LoadTool --package onnx/brain-few --image scan.png ...   (starts a server itself)
 * </pre>
 */
public final class LoadTool {
    /** The figures of one level. */
    public record Level(int clients, int requests, int ok, int rejected, int other, int unfinished, double seconds,
            double perSecond, double p50Ms, double p99Ms) {
        @Override
        public String toString() {
            return String.format("clients %2d: %4d requests (%d ok, %d 503, %d other, %d unfinished) in %.2f s:"
                    + " %7.1f req/s, p50 %7.1f ms, p99 %7.1f ms", clients, requests, ok, rejected, other, unfinished,
                    seconds, perSecond, p50Ms, p99Ms);
        }
    }

    private LoadTool() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        byte[] image = Files.readAllBytes(Path.of(require(a, "--image")));
        int requests = Integer.parseInt(a.getOrDefault("--requests", "200"));
        int[] levels = Arrays.stream(a.getOrDefault("--levels", "1,4,16").split(",")).mapToInt(Integer::parseInt).toArray();
        Duration limit = Duration.ofSeconds(Long.parseLong(a.getOrDefault("--time-limit-s", "120")));
        String model = a.get("--model");
        TestServer own = null;
        String url = a.get("--url");
        String key = a.get("--key");
        if (a.containsKey("--package")) {
            own = TestServer.start(List.of(Path.of(a.get("--package"))), Map.of());
            url = "http://127.0.0.1:" + own.server.getPort();
            key = TestServer.USER_KEY;
        }
        try {
            System.out.printf("load: %d cores, image %d bytes, %d requests per level%n",
                    Runtime.getRuntime().availableProcessors(), image.length, requests);
            for (int c : levels) {
                System.out.println(run(URI.create(require(Map.of("--url", url == null ? "" : url), "--url")), key, model,
                        image, c, requests, limit));
            }
        } finally {
            if (own != null) {
                own.close();
            }
        }
    }

    private static String require(Map<String, String> a, String k) {
        String v = a.get(k);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException(k + " is required");
        }
        return v;
    }

    /** Sends {@code requests} detections from {@code clients} threads; stops at the time limit. */
    public static Level run(URI base, String key, String model, byte[] image, int clients, int requests, Duration limit)
            throws IOException, InterruptedException {
        InetAddress host = InetAddress.getByName(base.getHost());
        if (!host.isLoopbackAddress()) {
            throw new IllegalArgumentException("the load tool only targets loopback addresses, not " + base.getHost());
        }
        URI uri = base.resolve("/v1/detect" + (model == null ? "" : "?model=" + model));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        AtomicInteger next = new AtomicInteger();
        ConcurrentLinkedQueue<long[]> done = new ConcurrentLinkedQueue<>();
        long deadline = System.nanoTime() + limit.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long t0 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            pool.execute(() -> {
                while (next.getAndIncrement() < requests && System.nanoTime() < deadline) {
                    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                            .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(image));
                    if (key != null) {
                        b.header("X-API-Key", key);
                    }
                    long s = System.nanoTime();
                    int status;
                    try {
                        status = http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                    } catch (IOException e) {
                        status = -1;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    done.add(new long[] {status, System.nanoTime() - s});
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(limit.toMillis() + 70_000, TimeUnit.MILLISECONDS)) {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<Double> okMs = new ArrayList<>();
        int ok = 0;
        int rejected = 0;
        int other = 0;
        for (long[] d : done) {
            if (d[0] == 200) {
                ok++;
                okMs.add(d[1] / 1e6);
            } else if (d[0] == 503) {
                rejected++;
            } else {
                other++;
            }
        }
        okMs.sort(Double::compare);
        return new Level(clients, requests, ok, rejected, other, requests - done.size(), seconds, done.size() / seconds,
                percentile(okMs, 0.50), percentile(okMs, 0.99));
    }

    static double percentile(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
