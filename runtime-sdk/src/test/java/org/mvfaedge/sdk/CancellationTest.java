package org.mvfaedge.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.detect.TestImages;
import org.mvfaedge.sdk.testing.ToyPackages;

/**
 * Cancellation through the public API on a real ONNX Runtime session (the channel-mean toy package):
 * a cancelled call does not run and says so with its own exception, the detector then gives exactly
 * the result it gave before, and a late cancel changes nothing. Cancelling a run in the middle of the
 * graph needs a slow model: edge-server's CancellationTest does it on a ViT-sized package.
 */
class CancellationTest {
    @TempDir
    static Path tmp;
    static AnomalyDetector detector;
    static ImageInput image;

    @BeforeAll
    static void open() throws Exception {
        ToyPackages.channelMean(tmp.resolve("toy"), 32, 0.5);
        detector = AnomalyDetector.open(tmp.resolve("toy"),
                DetectorOptions.builder().providers(ExecutionProvider.CPU).maxBatch(2).build());
        image = ImageInput.of(TestImages.png(TestImages.grey(TestImages.greyRectangle(60, 40, 10, 10, 30, 25), 60, 40)));
    }

    @AfterAll
    static void close() {
        detector.close();
    }

    @Test
    void cancelledBeforeTheCallItDoesNotRunAndTheDetectorThenGivesTheSameResult() {
        Detection before = detector.detect(image, new Cancellation());
        Cancellation c = new Cancellation();
        c.cancel();
        assertTrue(c.isCancelled());
        InferenceCancelledException e = assertThrows(InferenceCancelledException.class, () -> detector.detect(image, c));
        assertEquals("detection cancelled before it started", e.getMessage());
        assertTrue(e instanceof InferenceException, "callers that catch InferenceException see it too");

        Detection after = detector.detect(image, new Cancellation());
        Detection plain = detector.detect(((ImageInput.Encoded) image).data());
        for (Detection d : List.of(after, plain)) {
            assertEquals(before.score(), d.score(), 0.0);
            assertEquals(before.rawZeroScore(), d.rawZeroScore(), 0.0);
            assertArrayEquals(before.map(), d.map());
            assertEquals(before.regions(), d.regions());
        }
        assertTrue(before.anomalous(), "the image has a bright rectangle: a real result, not an empty one");
    }

    @Test
    void aCancelAfterTheCallEndedIsHarmless() {
        Cancellation c = new Cancellation();
        Detection d = detector.detect(image, c);
        c.cancel();
        c.cancel();
        assertTrue(c.isCancelled());
        assertEquals(d.score(), detector.detect(image, new Cancellation()).score(), 0.0);
    }

    @Test
    void detectAllStopsBeforeItsFirstBatchAndRunsNormallyAfterwards() {
        List<ImageInput> five = List.of(image, image, image, image, image); // 3 ONNX Runtime calls of <= 2
        Cancellation c = new Cancellation();
        c.cancel();
        assertThrows(InferenceCancelledException.class, () -> detector.detectAll(five, c));
        List<Detection> cancellable = detector.detectAll(five, new Cancellation());
        List<Detection> plain = detector.detectAll(five);
        assertEquals(5, cancellable.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(plain.get(i).score(), cancellable.get(i).score(), 0.0);
            assertArrayEquals(plain.get(i).map(), cancellable.get(i).map());
        }
    }

    @Test
    void registrationsRunOnCancelOnceAndNotAfterTheyAreClosed() {
        Cancellation c = new Cancellation();
        AtomicInteger open = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        Runnable shared = open::incrementAndGet;
        Cancellation.Registration a = c.onCancel(shared);
        Cancellation.Registration b = c.onCancel(shared); // the same action from two calls sharing c
        c.onCancel(closed::incrementAndGet).close();
        a.close();
        a.close();
        c.cancel();
        c.cancel();
        assertEquals(1, open.get(), "b's action ran once; a's was removed");
        assertEquals(0, closed.get());
        b.close();
        List<String> late = new ArrayList<>();
        c.onCancel(() -> late.add("at once")).close();
        assertEquals(List.of("at once"), late, "registered after cancel(): runs at once");
        assertFalse(new Cancellation().isCancelled());
    }
}
