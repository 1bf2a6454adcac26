package org.mvfaedge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.Cancellation;
import org.mvfaedge.sdk.Detection;
import org.mvfaedge.sdk.DetectorOptions;
import org.mvfaedge.sdk.ExecutionProvider;
import org.mvfaedge.sdk.ImageInput;
import org.mvfaedge.sdk.InferenceCancelledException;
import org.mvfaedge.server.model.DetectionService;
import org.mvfaedge.server.model.ModelRegistry;

/**
 * A cancellation in the middle of the graph, on a model slow enough to be caught there
 * ({@link SlowPackage}, hundreds of ms per image): through the SDK (ONNX Runtime's run is aborted and
 * the detector works afterwards) and through the server (a request whose deadline passes during the
 * inference gets its 504 and its slot comes back long before the inference would have ended). The
 * bounds compare with this machine's measured uncancelled inference, by a wide factor, because the
 * 2-core test machine is shared and its speed varies several-fold.
 */
class CancellationTest {
    static byte[] png;

    @BeforeAll
    static void image() throws Exception {
        png = Files.readAllBytes(TestPackages.image(0));
    }

    /** The median of three uncancelled detections, in ms (the first run also warms the session up). */
    static double uncancelledMs(AnomalyDetector d) {
        d.detect(png);
        double[] ms = new double[3];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            d.detect(png);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[1];
    }

    @Test
    void theSdkAbortsTheRunningGraphAndTheDetectorStillWorks() throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (AnomalyDetector d = AnomalyDetector.open(SlowPackage.get(),
                DetectorOptions.builder().providers(ExecutionProvider.CPU).build())) {
            double full = uncancelledMs(d);
            Detection reference = d.detect(png);
            Cancellation c = new Cancellation();
            long[] cancelledAt = new long[1];
            // a quarter in, at least 50 ms: past decoding and preprocessing (a few ms for this 90 x 100 PNG,
            // about 1% of the detection however loaded the machine is), well inside the graph
            long delay = Math.max(50, Math.round(full / 4));
            long t0 = System.nanoTime();
            timer.schedule(() -> {
                cancelledAt[0] = System.nanoTime();
                c.cancel();
            }, delay, TimeUnit.MILLISECONDS);
            InferenceCancelledException e = assertThrows(InferenceCancelledException.class,
                    () -> d.detect(ImageInput.of(png), c));
            long ended = System.nanoTime();
            timer.shutdown();
            assertTrue(timer.awaitTermination(10, TimeUnit.SECONDS));
            double total = (ended - t0) / 1e6;
            double afterCancel = (ended - cancelledAt[0]) / 1e6;
            System.out.printf("sdk cancel: uncancelled detection %.0f ms; cancelled %d ms in, the call ended after %.0f ms"
                    + " (%.0f ms after cancel())%n", full, delay, total, afterCancel);
            assertEquals("detection cancelled while the model ran", e.getMessage(),
                    delay + " ms is inside the graph of a " + Math.round(full) + " ms detection");
            assertTrue(afterCancel < full / 2, "the run stops long before it would have ended: " + afterCancel
                    + " ms after cancel() against " + full + " ms for a whole detection");
            Detection after = d.detect(png);
            assertEquals(reference.score(), after.score(), 0.0, "the next run is unaffected");
            assertTrue(Arrays.equals(reference.map(), after.map()));
        }
    }

    @Test
    void aRequestPastItsDeadlineGives504AndItsSlotComesBackAtOnce() throws Exception {
        try (TestServer s = TestServer.start(List.of(SlowPackage.get()), Map.of("mvfa.limits.inference-slots", 1,
                "mvfa.limits.queue-size", 0, "mvfa.limits.request-deadline", "50ms"))) {
            DetectionService service = s.bean(DetectionService.class);
            ModelRegistry.Slot model = s.bean(ModelRegistry.class).slots().iterator().next();
            // the same session the server runs, outside the server's limits: what a slot costs uncancelled
            double full = uncancelledMs(model.current().detector());
            s.post("/v1/detect", TestServer.USER_KEY, "image/png", png); // warm the HTTP path (504 too)
            awaitFreeSlot(service, 30_000);

            long t0 = System.nanoTime();
            HttpResponse<String> r = s.post("/v1/detect", TestServer.USER_KEY, "image/png", png);
            double answered = (System.nanoTime() - t0) / 1e6;
            assertEquals("urn:mvfa-edge:problem:deadline-exceeded", ErrorResponsesTest.problem(r, 504).get("type").asText());
            double freed = awaitFreeSlot(service, 30_000) - t0 / 1e6;
            System.out.printf("server cancel: uncancelled inference %.0f ms (the slot's time without cancellation);"
                    + " deadline 50 ms: 504 after %.0f ms, slot free %.0f ms after the request was sent%n", full,
                    answered, freed);
            assertTrue(freed < full / 2, "the slot comes back long before the inference would have ended: "
                    + freed + " ms against " + full + " ms");

            // the slot is really free: with no wait line a busy slot would answer 503 at once
            HttpResponse<String> second = s.post("/v1/detect", TestServer.USER_KEY, "image/png", png);
            assertEquals(504, second.statusCode(), second.body());
            awaitFreeSlot(service, 30_000);
            String prom = s.get("/prometheus", TestServer.USER_KEY).body();
            assertTrue(prom.contains("mvfa_inference_cancelled_total{model=\"" + model.id() + "\"} 3.0"), prom);
        }
    }

    /** Waits until no inference runs; returns the time it saw that, in ms of {@link System#nanoTime()}. */
    private static double awaitFreeSlot(DetectionService service, long timeoutMs) throws InterruptedException {
        long start = System.nanoTime();
        while (service.gate().active() > 0) {
            assertTrue(System.nanoTime() - start < timeoutMs * 1_000_000, "the slot never came back");
            Thread.sleep(1);
        }
        return System.nanoTime() / 1e6;
    }
}
