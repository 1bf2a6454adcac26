package org.mvfaedge.sdk.detect;

import java.util.List;
import org.mvfaedge.sdk.Region;
import org.mvfaedge.sdk.image.RgbImage;

/** Renders anomaly maps as colour PNGs (alone, or blended over the input image). */
public final class HeatMap {
    private HeatMap() {
    }

    /** The map as a colour PNG. */
    public static byte[] mapPng(float[] map, int width, int height, double threshold) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** The map blended over the image, as PNG. */
    public static byte[] overlayPng(RgbImage image, float[] map, double threshold, List<Region> regions) {
        throw new UnsupportedOperationException("not yet implemented");
    }
}
