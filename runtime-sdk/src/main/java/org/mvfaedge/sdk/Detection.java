package org.mvfaedge.sdk;

import java.util.List;
import org.mvfaedge.sdk.detect.DetectionJson;
import org.mvfaedge.sdk.detect.HeatMap;
import org.mvfaedge.sdk.detect.MapResampler;
import org.mvfaedge.sdk.image.RgbImage;

/**
 * The result of one image: the calibrated image score and the decision against the package's
 * threshold, the calibrated anomaly map at the input's own width x height, the connected regions
 * above the threshold, the model's raw outputs, and where the time went. Immutable; the arrays
 * returned are copies.
 *
 * <p>Memory: a detection holds the decoded image (3 bytes per pixel, for {@link #overlayPng()}) and the
 * model's S x S map; the map at the input's resolution (4 bytes per pixel) is computed on first use of
 * {@link #map()}, {@link #mapAt}, {@link #mapPng()} or {@link #overlayPng()} (already there for inputs up to
 * {@link DetectorOptions#regionMaxPixels()}, whose regions were found on it). For a smaller picture of a large
 * input, {@link #map(int, int)}, {@link #mapPng(int, int)} and {@link #overlayPng(int, int)} resample the
 * model's map straight to the size asked for. Keep the figures you need rather than the detections of a long
 * series of large scans.
 */
public final class Detection {
    private final float score;
    private final double threshold;
    private final float rawZeroScore;
    private final Float rawFewScore;
    private final int modelSize;
    private final float[] rawZeroMap;
    private final float[] rawFewMap;
    private final float[] modelMap;
    private final int width;
    private final int height;
    /** The map at width x height; computed on first use when the detector did not need it (large inputs). */
    private float[] map;
    private final List<Region> regions;
    private final Timings timings;
    private final RgbImage image;

    /**
     * Made by the detector; {@code image} is the decoded input, kept for {@link #overlayPng()}; {@code map} the
     * map at the input's resolution, or null to compute it from {@code modelMap} when first asked for.
     */
    Detection(float score, double threshold, float rawZeroScore, Float rawFewScore, int modelSize,
            float[] rawZeroMap, float[] rawFewMap, float[] modelMap, int width, int height, float[] map,
            List<Region> regions, Timings timings, RgbImage image) {
        this.score = score;
        this.threshold = threshold;
        this.rawZeroScore = rawZeroScore;
        this.rawFewScore = rawFewScore;
        this.modelSize = modelSize;
        this.rawZeroMap = rawZeroMap;
        this.rawFewMap = rawFewMap;
        this.modelMap = modelMap;
        this.width = width;
        this.height = height;
        this.map = map;
        this.regions = List.copyOf(regions);
        this.timings = timings;
        this.image = image;
    }

    /** Calibrated image score (the package's calibration; 0..1 on its calibration set, may exceed it). */
    public float score() {
        return score;
    }

    /** The package's decision threshold on {@link #score()}. */
    public double threshold() {
        return threshold;
    }

    /** Whether {@code score() >= threshold()}. */
    public boolean anomalous() {
        return score >= threshold;
    }

    /** The graph's raw zero-shot image score (sum over levels, before calibration). */
    public float rawZeroScore() {
        return rawZeroScore;
    }

    /** The graph's raw few-shot image score, or null for a zero-shot package. */
    public Float rawFewScore() {
        return rawFewScore;
    }

    /** Side S of the model's maps. */
    public int modelSize() {
        return modelSize;
    }

    /** The graph's raw zero-shot map, S x S row-major. */
    public float[] rawZeroMap() {
        return rawZeroMap.clone();
    }

    /** The graph's raw few-shot map, S x S, or null for a zero-shot package. */
    public float[] rawFewMap() {
        return rawFewMap == null ? null : rawFewMap.clone();
    }

    /** The calibrated map at the model's size S x S (before resampling to the input's size). */
    public float[] modelMap() {
        return modelMap.clone();
    }

    /** Width of the input image and of {@link #map()}. */
    public int width() {
        return width;
    }

    /** Height of the input image and of {@link #map()}. */
    public int height() {
        return height;
    }

    /** The calibrated anomaly map resampled (bilinear) to width x height, row-major. */
    public float[] map() {
        return fullMap().clone();
    }

    /**
     * The calibrated map resampled (bilinear, from the model's S x S map, as {@link #map()}) to any
     * {@code w} x {@code h}: a smaller picture of a large input's map without its full-resolution array.
     * At the input's own size it equals {@link #map()}.
     */
    public float[] map(int w, int h) {
        checkSize(w, h);
        if (w == width && h == height) {
            return map();
        }
        float[] out = new float[w * h];
        MapResampler.resize(modelMap, modelSize, modelSize, out, w, h);
        return out;
    }

    /** Calibrated map value at pixel (x, y) of the input. */
    public float mapAt(int x, int y) {
        java.util.Objects.checkIndex(x, width);
        java.util.Objects.checkIndex(y, height);
        return fullMap()[y * width + x];
    }

    private synchronized float[] fullMap() {
        if (map == null) {
            map = new float[width * height];
            MapResampler.resize(modelMap, modelSize, modelSize, map, width, height);
        }
        return map;
    }

    private static void checkSize(int w, int h) {
        if (w < 1 || h < 1 || (long) w * h > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("map size must be at least 1 x 1, got " + w + " x " + h);
        }
    }

    /** Connected regions at or above the region threshold, largest first. */
    public List<Region> regions() {
        return regions;
    }

    public Timings timings() {
        return timings;
    }

    /** The map as a colour heat-map PNG, width x height (jet scale on the value clamped to 0..1: blue 0, red 1). */
    public byte[] mapPng() {
        return HeatMap.mapPng(fullMap(), width, height);
    }

    /** As {@link #mapPng()} at {@code w} x {@code h} (the map resampled as in {@link #map(int, int)}). */
    public byte[] mapPng(int w, int h) {
        float[] m = map(w, h);
        return HeatMap.mapPng(m, w, h);
    }

    /** The heat-map blended over the input image, as PNG, region outlines drawn. */
    public byte[] overlayPng() {
        return HeatMap.overlayPng(image, fullMap(), regions);
    }

    /**
     * As {@link #overlayPng()} at {@code w} x {@code h}: the image averaged over the pixels of each output
     * pixel, the map resampled as in {@link #map(int, int)}, region outlines scaled.
     */
    public byte[] overlayPng(int w, int h) {
        if (w == width && h == height) {
            return overlayPng();
        }
        float[] m = map(w, h);
        return HeatMap.overlayPng(image.averagedTo(w, h), m, HeatMap.scaled(regions, (double) w / width,
                (double) h / height));
    }

    /**
     * The detection as one line of JSON: the product's one detection shape (snake_case; the same fields as
     * {@code predict --json} and the HTTP answer, see {@link DetectionJson}). The map is not included.
     */
    public String toJson() {
        return DetectionJson.toJson(this);
    }

    @Override
    public String toString() {
        return "Detection[score=" + score + ", threshold=" + threshold + ", anomalous=" + anomalous() + ", "
                + width + " x " + height + ", regions=" + regions.size() + "]";
    }
}
