package org.mvfaedge.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.detect.TestImages;
import org.mvfaedge.sdk.testing.ToyPackages;

/**
 * The detector's pipeline on a package whose graph is the channel mean of its input (see
 * {@link ToyPackages}): a white rectangle on black must give a map of about 1 inside and 0 outside
 * at the input's resolution, one region at the rectangle, and the same result from every input form.
 */
class AnomalyDetectorTest {
    static final int W = 100;
    static final int H = 80;
    static final int S = 32;
    @TempDir
    static Path tmp;
    static AnomalyDetector detector;
    static byte[] grey;

    @BeforeAll
    static void open() throws Exception {
        ToyPackages.channelMean(tmp.resolve("toy"), S, 0.5);
        detector = AnomalyDetector.open(tmp.resolve("toy"),
                DetectorOptions.builder().providers(ExecutionProvider.CPU).maxBatch(2).build());
        grey = TestImages.greyRectangle(W, H, 20, 30, 60, 50);
    }

    @AfterAll
    static void close() {
        detector.close();
    }

    @Test
    void aWhiteRectangleGivesOneRegionAtItsPlaceAtTheInputsResolution() {
        Detection d = detector.detect(RawImage.grey8(grey, W, H));
        assertEquals(W, d.width());
        assertEquals(H, d.height());
        assertEquals(W * H, d.map().length);
        assertTrue(d.anomalous());
        assertEquals(0.5, d.threshold());
        assertEquals(1f, d.mapAt(40, 40), 0.02f);
        assertEquals(0f, d.mapAt(5, 5), 0.02f);
        assertEquals(0f, d.mapAt(90, 70), 0.02f);
        assertEquals(1, d.regions().size(), d.regions().toString());
        Region r = d.regions().get(0);
        // The 0.5 crossing of a symmetric resize lies on the true edge, within a model pixel (~3 px).
        assertEquals(20, r.x(), 3);
        assertEquals(30, r.y(), 3);
        assertEquals(40, r.width(), 4);
        assertEquals(20, r.height(), 4);
        assertTrue(r.peak() >= 0.98f && r.mean() > 0.5f && r.mean() <= r.peak(), r.toString());
        assertEquals(r.area(), countAtLeast(d.map(), 0.5f));
        // Calibration is the identity and the score rule the raw det score (the map's max here).
        assertEquals(d.rawZeroScore(), d.score(), 0f);
        assertNull(d.rawFewScore());
        assertNull(d.rawFewMap());
        assertArrayEquals(d.rawZeroMap(), d.modelMap());
    }

    private static long countAtLeast(float[] m, float t) {
        long n = 0;
        for (float v : m) {
            n += v >= t ? 1 : 0;
        }
        return n;
    }

    @Test
    void aBlackImageIsNormalWithoutRegions() {
        Detection d = detector.detect(RawImage.grey8(new byte[W * H], W, H));
        assertFalse(d.anomalous());
        assertEquals(0f, d.score());
        assertTrue(d.regions().isEmpty());
    }

    @Test
    void everyInputFormGivesTheSameResult() {
        Detection raw8 = detector.detect(RawImage.grey8(grey, W, H));
        short[] s16 = new short[grey.length];
        for (int i = 0; i < grey.length; i++) {
            s16[i] = (short) ((grey[i] & 0xff) * 257); // 16-bit v*257 maps back to v exactly
        }
        byte[] rgb = new byte[grey.length * 3];
        for (int i = 0; i < grey.length; i++) {
            rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i];
        }
        BufferedImage awt = TestImages.grey(grey, W, H);
        byte[] png = TestImages.png(awt);
        List<Detection> all = List.of(detector.detect(RawImage.grey16(s16, W, H)), detector.detect(RawImage.rgb8(rgb, W, H)),
                detector.detect(awt), detector.detect(png));
        for (Detection d : all) {
            assertArrayEquals(raw8.map(), d.map());
            assertEquals(raw8.score(), d.score());
            assertEquals(raw8.regions(), d.regions());
        }
    }

    @Test
    void detectAllBatchesAndKeepsOrder() {
        byte[] black = new byte[W * H];
        List<ImageInput> in = List.of(ImageInput.of(RawImage.grey8(grey, W, H)), ImageInput.of(RawImage.grey8(black, W, H)),
                ImageInput.of(RawImage.grey8(grey, W, H)));
        List<Detection> out = detector.detectAll(in);
        assertEquals(3, out.size());
        assertTrue(out.get(0).anomalous());
        assertFalse(out.get(1).anomalous());
        assertArrayEquals(detector.detect(RawImage.grey8(grey, W, H)).map(), out.get(2).map());
        // maxBatch 2: the first two shared one call, the third ran alone.
        assertEquals(2, out.get(0).timings().batchSize());
        assertEquals(1, out.get(2).timings().batchSize());
        assertTrue(detector.detectAll(List.of()).isEmpty());
    }

    @Test
    void timingsAreMeasuredPerStage() {
        Timings t = detector.detect(TestImages.png(TestImages.grey(grey, W, H))).timings();
        assertTrue(t.decodeMs() > 0 && t.preprocessMs() > 0 && t.inferenceMs() > 0 && t.postprocessMs() > 0, t.toString());
        assertEquals(t.decodeMs() + t.preprocessMs() + t.inferenceMs() + t.postprocessMs(), t.totalMs(), 1e-9);
    }

    @Test
    void overlayAndMapPngsHaveTheInputsSizeAndShowTheHeat() throws Exception {
        Detection d = detector.detect(RawImage.grey8(grey, W, H));
        BufferedImage overlay = ImageIO.read(new ByteArrayInputStream(d.overlayPng()));
        BufferedImage map = ImageIO.read(new ByteArrayInputStream(d.mapPng()));
        assertEquals(W, overlay.getWidth());
        assertEquals(H, overlay.getHeight());
        assertEquals(W, map.getWidth());
        assertEquals(H, map.getHeight());
        // Jet: inside the rectangle the map is ~1 (dark red 0x800000), outside ~0 (dark blue 0x000080).
        int inside = map.getRGB(40, 40);
        int outside = map.getRGB(5, 5);
        assertTrue(((inside >> 16) & 0xff) > 100 && ((inside >> 8) & 0xff) < 50 && (inside & 0xff) < 50,
                Integer.toHexString(inside));
        assertTrue(((outside >> 16) & 0xff) < 50 && (outside & 0xff) > 100, Integer.toHexString(outside));
        // The overlay keeps the black background dark where the map is ~0, and tints the white rectangle red.
        int bg = overlay.getRGB(5, 5);
        assertTrue(((bg >> 16) & 0xff) < 40 && ((bg >> 8) & 0xff) < 40, Integer.toHexString(bg));
        int hot = overlay.getRGB(40, 40);
        assertTrue(((hot >> 16) & 0xff) > ((hot >> 8) & 0xff) + 60, Integer.toHexString(hot));
    }

    @Test
    void reportsThePackageAndTheProvider() {
        assertEquals(ExecutionProvider.CPU, detector.executionProvider());
        assertTrue(detector.providerFailures().isEmpty());
        assertEquals("toy", detector.manifest().modelId());
        assertEquals(tmp.resolve("toy"), detector.modelPackage().dir());
        assertEquals(S, detector.imageSize());
    }

    @Test
    void aClosedDetectorRefusesCalls() throws Exception {
        try (AnomalyDetector d = AnomalyDetector.open(tmp.resolve("toy"),
                DetectorOptions.builder().providers(ExecutionProvider.CPU).build())) {
            d.close();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> d.detect(RawImage.grey8(grey, W, H)));
            assertTrue(e.getMessage().contains("closed"));
        }
    }
}
