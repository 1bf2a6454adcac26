package org.mvfaedge.trainer.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.Detection;
import org.mvfaedge.sdk.DetectorOptions;
import org.mvfaedge.sdk.ExecutionProvider;
import org.mvfaedge.sdk.ImageInput;
import org.mvfaedge.sdk.calibration.ScoreCalibration;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.Preprocessor;
import org.mvfaedge.sdk.image.RgbImage;
import org.mvfaedge.sdk.runtime.RawOutputs;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.sdk.testing.Npy;
import org.mvfaedge.trainer.eval.DjlRawScorer;
import org.mvfaedge.trainer.heads.MemoryBank;

/**
 * The SDK's answers on a package exported from the golden fixture equal the trainer's: raw outputs
 * equal the reference's maps, calibrated maps and scores equal the package's calibration applied to
 * the DJL model's outputs, and 32 threads on one detector give exactly the sequential results.
 */
class DetectorAcceptanceTest {
    @TempDir
    static Path tmp;
    static FixturePackages fx;
    static AnomalyDetector detector;

    @BeforeAll
    static void export() throws Exception {
        fx = new FixturePackages();
        Path pkg = fx.export(tmp.resolve("brain-few"), fx.config().supportImages(), true);
        // The default provider list: TensorRT and CUDA fail to register on the CPU build, the CPU runs.
        detector = AnomalyDetector.open(pkg, DetectorOptions.defaults());
    }

    @AfterAll
    static void close() {
        if (detector != null) {
            detector.close();
        }
        if (fx != null) {
            fx.close();
        }
    }

    private static float[] npy(String f) throws Exception {
        return Npy.read(fx.fixture().resolve(f)).floats();
    }

    @Test
    void rawOutputsEqualTheReferenceMaps() throws Exception {
        assertEquals(ExecutionProvider.CPU, detector.executionProvider());
        // The CPU build does not try TensorRT or CUDA by default, so nothing failed on the way to the CPU.
        assertEquals(java.util.List.of(), detector.providerFailures());
        assertEquals(fx.config().imgSize(), detector.manifest().model().imgSize());
        for (int i = 0; i < fx.config().images(); i++) {
            Detection d = detector.detect(fx.image("img" + i));
            String dir = "forward/img" + i + "/";
            Fixtures.assertClose("sdk img" + i + " raw zero_map", d.rawZeroMap(),
                    fx.config().map(dir + "zero_Brain_pixel_map.npy"), 1e-4);
            Fixtures.assertClose("sdk img" + i + " raw zero_score", new float[] {d.rawZeroScore()},
                    npy(dir + "zero_Brain_image_score.npy"), 1e-4);
            Fixtures.assertClose("sdk img" + i + " raw few_map", d.rawFewMap(), fx.config().map(dir + "few_seg_map.npy"), 1e-4);
            Fixtures.assertClose("sdk img" + i + " raw few_score", new float[] {d.rawFewScore()},
                    npy(dir + "few_det_score.npy"), 1e-4);
        }
    }

    @Test
    void calibratedResultsEqualTheCalibrationOfTheDjlModelsOutputs() throws Exception {
        ScoreCalibration cal = new ScoreCalibration(detector.manifest().calibration());
        assertEquals("valid", detector.manifest().calibration().source());
        Preprocessor pre = new Preprocessor(fx.config().imgSize());
        List<float[]> support = new ArrayList<>();
        for (String s : fx.config().supportImages()) {
            support.add(pre.image(new ImageDecoder().decode(fx.image(s))));
        }
        try (MemoryBank bank = fx.model().memoryBank(support, 4)) {
            DjlRawScorer djl = new DjlRawScorer(fx.model(), fx.brain(), bank);
            for (int i = 0; i < fx.config().images(); i++) {
                RgbImage img = new ImageDecoder().decode(fx.image("img" + i));
                RawOutputs ref = djl.score(pre.image(img), 1);
                float[] refMap = cal.map(ref, 0);
                float refScore = cal.score(ref, 0, refMap);
                Detection d = detector.detect(fx.image("img" + i));
                Fixtures.assertClose("sdk img" + i + " calibrated map vs DJL", d.modelMap(), refMap, 1e-4);
                Fixtures.assertClose("sdk img" + i + " calibrated score vs DJL", new float[] {d.score()},
                        new float[] {refScore}, 1e-4);
                // The decision must follow the score; a score within the comparison's tolerance of the
                // threshold may fall on either side of it in two correct implementations.
                if (Math.abs(refScore - cal.threshold()) > 1e-4) {
                    assertEquals(refScore >= cal.threshold(), d.anomalous(), "decision of img" + i);
                }
                assertEquals(cal.threshold(), d.threshold());
                assertEquals(img.width(), d.width());
                assertEquals(img.height(), d.height());
                assertEquals(img.width() * img.height(), d.map().length);
            }
        }
    }

    @Test
    void batchesGiveTheSingleImageResults() {
        int images = fx.config().images();
        List<ImageInput> in = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            in.add(ImageInput.of(fx.image("img" + (i % images))));
        }
        List<Detection> all = detector.detectAll(in);
        for (int i = 0; i < 5; i++) {
            Detection one = detector.detect(fx.image("img" + (i % images)));
            Fixtures.assertClose("sdk batch vs single image " + i, all.get(i).map(), one.map(), 1e-5);
            assertEquals(one.score(), all.get(i).score(), 1e-5);
        }
    }

    @Test
    void thirtyTwoThreadsGiveExactlyTheSequentialResults() throws Exception {
        int images = fx.config().images();
        List<Detection> sequential = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            sequential.add(detector.detect(fx.image("img" + i)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<Future<Detection>> futures = new ArrayList<>();
            for (int t = 0; t < 96; t++) {
                int i = t % images;
                futures.add(pool.submit(() -> detector.detect(fx.image("img" + i))));
            }
            for (int t = 0; t < futures.size(); t++) {
                Detection got = futures.get(t).get();
                Detection want = sequential.get(t % images);
                assertArrayEquals(want.map(), got.map(), "map of call " + t);
                assertArrayEquals(want.rawFewMap(), got.rawFewMap(), "raw few map of call " + t);
                assertEquals(want.score(), got.score(), "score of call " + t);
                assertEquals(want.regions(), got.regions(), "regions of call " + t);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(sequential.get(0).map().length > 0);
    }
}
