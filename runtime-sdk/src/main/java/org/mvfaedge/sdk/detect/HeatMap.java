package org.mvfaedge.sdk.detect;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;
import org.mvfaedge.sdk.Region;
import org.mvfaedge.sdk.image.RgbImage;

/**
 * Renders anomaly maps as colour PNGs, alone or blended over the input image. Colours follow a
 * jet-like scale on the calibrated value clamped to 0..1 (blue 0, green 0.5, red 1); in the overlay
 * the blend weight grows with the value, so normal tissue stays visible, and region boxes are
 * outlined in white.
 */
public final class HeatMap {
    /** Largest weight of the heat colour in the overlay. */
    static final float MAX_ALPHA = 0.6f;

    private HeatMap() {
    }

    /** Jet-like colour of a value as 0xRRGGBB. */
    public static int colour(float value) {
        float v = Float.isNaN(value) ? 0 : Math.max(0, Math.min(1, value));
        float r = clamp(1.5f - Math.abs(4 * v - 3));
        float g = clamp(1.5f - Math.abs(4 * v - 2));
        float b = clamp(1.5f - Math.abs(4 * v - 1));
        return (Math.round(r * 255) << 16) | (Math.round(g * 255) << 8) | Math.round(b * 255);
    }

    private static float clamp(float x) {
        return Math.max(0, Math.min(1, x));
    }

    /** The map as a colour PNG of width x height. */
    public static byte[] mapPng(float[] map, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                row[x] = colour(map[y * width + x]);
            }
            img.setRGB(0, y, width, 1, row, 0, width);
        }
        return png(img);
    }

    /** The map blended over the image (same size), with region boxes outlined, as PNG. */
    public static byte[] overlayPng(RgbImage image, float[] map, List<Region> regions) {
        int w = image.width();
        int h = image.height();
        byte[] rgb = image.toByteArray();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                float v = map[p];
                float a = MAX_ALPHA * (Float.isNaN(v) ? 0 : Math.max(0, Math.min(1, v)));
                int c = colour(v);
                int r = blend(rgb[3 * p] & 0xff, (c >> 16) & 0xff, a);
                int g = blend(rgb[3 * p + 1] & 0xff, (c >> 8) & 0xff, a);
                int b = blend(rgb[3 * p + 2] & 0xff, c & 0xff, a);
                row[x] = (r << 16) | (g << 8) | b;
            }
            img.setRGB(0, y, w, 1, row, 0, w);
        }
        for (Region reg : regions) {
            outline(img, reg);
        }
        return png(img);
    }

    /** Regions with their boxes scaled by {@code sx}, {@code sy} (for an overlay drawn smaller than the input). */
    public static List<Region> scaled(List<Region> regions, double sx, double sy) {
        List<Region> out = new java.util.ArrayList<>(regions.size());
        for (Region r : regions) {
            int x0 = (int) Math.floor(r.x() * sx);
            int y0 = (int) Math.floor(r.y() * sy);
            int x1 = Math.max(x0 + 1, (int) Math.ceil((r.x() + r.width()) * sx));
            int y1 = Math.max(y0 + 1, (int) Math.ceil((r.y() + r.height()) * sy));
            out.add(new Region(x0, y0, x1 - x0, y1 - y0, Math.round(r.area() * sx * sy), r.peak(),
                    (int) Math.floor(r.peakX() * sx), (int) Math.floor(r.peakY() * sy), r.mean()));
        }
        return out;
    }

    private static int blend(int base, int heat, float a) {
        return Math.round(base * (1 - a) + heat * a);
    }

    private static void outline(BufferedImage img, Region r) {
        int white = 0xffffff;
        int x1 = r.x() + r.width() - 1;
        int y1 = r.y() + r.height() - 1;
        for (int x = r.x(); x <= x1; x++) {
            img.setRGB(x, r.y(), white);
            img.setRGB(x, y1, white);
        }
        for (int y = r.y(); y <= y1; y++) {
            img.setRGB(r.x(), y, white);
            img.setRGB(x1, y, white);
        }
    }

    private static byte[] png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, "png", out)) {
                throw new IllegalStateException("no PNG writer in this Java runtime");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("PNG encoding in memory failed", e);
        }
        return out.toByteArray();
    }
}
