package org.mvfaedge.sdk.detect;

import java.util.ArrayList;
import java.util.List;
import org.mvfaedge.sdk.Region;

/**
 * A grid of at most a given number of pixels with the aspect of an input of width x height: the input's
 * own size when it fits, else both sides scaled by the same factor (each at least 1). Used to bound what
 * is computed per image (the map for region finding, a map in a server's response) for very large inputs,
 * and to scale what was found on the grid back to the input's pixels.
 */
public record MapGrid(int inputWidth, int inputHeight, int width, int height) {

    /** The grid for an input of {@code w} x {@code h} within {@code maxPixels}. */
    public static MapGrid fit(int w, int h, long maxPixels) {
        long pixels = (long) w * h;
        if (pixels <= maxPixels) {
            return new MapGrid(w, h, w, h);
        }
        double s = Math.sqrt((double) maxPixels / pixels);
        int gw = Math.max(1, Math.min(w, (int) Math.floor(w * s)));
        int gh = Math.max(1, Math.min(h, (int) Math.floor(h * s)));
        while ((long) gw * gh > maxPixels && (gw > 1 || gh > 1)) {
            if (gw >= gh) {
                gw--;
            } else {
                gh--;
            }
        }
        return new MapGrid(w, h, gw, gh);
    }

    /** True when the grid is the input's own resolution. */
    public boolean full() {
        return width == inputWidth && height == inputHeight;
    }

    /** Grid pixels per input pixel along x (1 at full resolution). */
    public double scale() {
        return (double) width / inputWidth;
    }

    /** The calibrated S x S model map resampled (bilinear) onto this grid. */
    public float[] resample(float[] modelMap, int size) {
        float[] out = new float[width * height];
        MapResampler.resize(modelMap, size, size, out, width, height);
        return out;
    }

    /** A minimum region area in input pixels, as grid pixels (at least 1 when positive). */
    public int gridArea(int inputArea) {
        if (full() || inputArea <= 0) {
            return inputArea;
        }
        double ratio = (double) width * height / ((double) inputWidth * inputHeight);
        return Math.max(1, (int) Math.round(inputArea * ratio));
    }

    /** Regions found on the grid, in the input's pixels: boxes cover the grid cells, areas scale with the cells. */
    public List<Region> toInput(List<Region> regions) {
        if (full()) {
            return regions;
        }
        double sx = (double) inputWidth / width;
        double sy = (double) inputHeight / height;
        List<Region> out = new ArrayList<>(regions.size());
        for (Region r : regions) {
            int x0 = (int) Math.floor(r.x() * sx);
            int y0 = (int) Math.floor(r.y() * sy);
            int x1 = (int) Math.min(inputWidth, Math.ceil((r.x() + r.width()) * sx));
            int y1 = (int) Math.min(inputHeight, Math.ceil((r.y() + r.height()) * sy));
            int px = (int) Math.min(inputWidth - 1, Math.floor((r.peakX() + 0.5) * sx));
            int py = (int) Math.min(inputHeight - 1, Math.floor((r.peakY() + 0.5) * sy));
            out.add(new Region(x0, y0, x1 - x0, y1 - y0, Math.round(r.area() * sx * sy), r.peak(), px, py, r.mean()));
        }
        return out;
    }
}
