package org.mvfaedge.sdk;

import java.util.List;
import org.mvfaedge.sdk.detect.HeatMap;
import org.mvfaedge.sdk.image.RgbImage;

/**
 * The result of one image: the calibrated image score and the decision against the package's
 * threshold, the calibrated anomaly map at the input's own width x height, the connected regions
 * above the threshold, the model's raw outputs, and where the time went. Immutable; the arrays
 * returned are copies.
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
    private final float[] map;
    private final List<Region> regions;
    private final Timings timings;
    private final RgbImage image;

    /**
     * Made by the detector; public only so that the SDK's own packages can build it.
     *
     * @param image the decoded input, kept for {@link #overlayPng()}
     */
    public Detection(float score, double threshold, float rawZeroScore, Float rawFewScore, int modelSize,
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
        return map.clone();
    }

    /** Calibrated map value at pixel (x, y) of the input. */
    public float mapAt(int x, int y) {
        java.util.Objects.checkIndex(x, width);
        java.util.Objects.checkIndex(y, height);
        return map[y * width + x];
    }

    /** Connected regions at or above the region threshold, largest first. */
    public List<Region> regions() {
        return regions;
    }

    public Timings timings() {
        return timings;
    }

    /** The map as a colour heat-map PNG (width x height; 0 blue, threshold and above towards red). */
    public byte[] mapPng() {
        return HeatMap.mapPng(map, width, height);
    }

    /** The heat-map blended over the input image, as PNG, region outlines drawn. */
    public byte[] overlayPng() {
        return HeatMap.overlayPng(image, map, regions);
    }

    @Override
    public String toString() {
        return "Detection[score=" + score + ", threshold=" + threshold + ", anomalous=" + anomalous() + ", "
                + width + " x " + height + ", regions=" + regions.size() + "]";
    }
}
