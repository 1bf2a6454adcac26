package org.mvfaedge.sdk.detect;

import boofcv.alg.filter.binary.BinaryImageOps;
import boofcv.alg.filter.binary.ThresholdImageOps;
import boofcv.struct.ConnectRule;
import boofcv.struct.image.GrayF32;
import boofcv.struct.image.GrayS32;
import boofcv.struct.image.GrayU8;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.mvfaedge.sdk.Region;

/**
 * Connected regions of an anomaly map at or above a threshold, with BoofCV: binary threshold, then
 * labelling by contour tracing; each label's bounding box, area, peak and mean are then measured
 * on the map. Holds its binary and label images for reuse: one instance per thread.
 */
public final class RegionFinder {
    private final GrayU8 binary = new GrayU8(1, 1);
    private final GrayS32 labels = new GrayS32(1, 1);

    /**
     * Regions of {@code map} [height, width] with values {@code >= threshold}, of at least
     * {@code minArea} pixels, largest first (ties: top-left first).
     */
    public List<Region> find(float[] map, int width, int height, double threshold, boolean eightConnected,
            int minArea) {
        GrayF32 view = new GrayF32();
        view.data = map;
        view.width = width;
        view.height = height;
        view.stride = width;
        view.startIndex = 0;
        binary.reshape(width, height);
        labels.reshape(width, height);
        // ThresholdImageOps keeps values strictly above its threshold; nextDown makes it ">= threshold",
        // the same comparison as the image-level decision.
        float t = Math.nextDown((float) threshold);
        ThresholdImageOps.threshold(view, binary, t, false);
        int count = BinaryImageOps.contour(binary, eightConnected ? ConnectRule.EIGHT : ConnectRule.FOUR, labels)
                .size();
        if (count == 0) {
            return List.of();
        }
        int[] minX = new int[count + 1];
        int[] minY = new int[count + 1];
        int[] maxX = new int[count + 1];
        int[] maxY = new int[count + 1];
        long[] area = new long[count + 1];
        double[] sum = new double[count + 1];
        float[] peak = new float[count + 1];
        int[] peakAt = new int[count + 1];
        java.util.Arrays.fill(minX, Integer.MAX_VALUE);
        java.util.Arrays.fill(minY, Integer.MAX_VALUE);
        java.util.Arrays.fill(peak, Float.NEGATIVE_INFINITY);
        int[] l = labels.data;
        for (int y = 0; y < height; y++) {
            int row = labels.startIndex + y * labels.stride;
            for (int x = 0; x < width; x++) {
                int id = l[row + x];
                if (id <= 0) {
                    continue;
                }
                float v = map[y * width + x];
                minX[id] = Math.min(minX[id], x);
                maxX[id] = Math.max(maxX[id], x);
                minY[id] = Math.min(minY[id], y);
                maxY[id] = Math.max(maxY[id], y);
                area[id]++;
                sum[id] += v;
                if (v > peak[id]) {
                    peak[id] = v;
                    peakAt[id] = y * width + x;
                }
            }
        }
        List<Region> out = new ArrayList<>();
        for (int id = 1; id <= count; id++) {
            if (area[id] == 0 || area[id] < minArea) {
                continue;
            }
            out.add(new Region(minX[id], minY[id], maxX[id] - minX[id] + 1, maxY[id] - minY[id] + 1, area[id],
                    peak[id], peakAt[id] % width, peakAt[id] / width, (float) (sum[id] / area[id])));
        }
        out.sort(Comparator.comparingLong(Region::area).reversed().thenComparingInt(Region::y)
                .thenComparingInt(Region::x));
        return out;
    }
}
