package org.mvfaedge.trainer.demo;

import org.mvfaedge.sdk.util.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import org.mvfaedge.sdk.image.RgbImage;

/**
 * Pictures for the report: an anomaly map blended over the image in a jet colour map, the ground-truth
 * mask outlined, and atomic PNG writes.
 */
final class Overlays {
    private Overlays() {
    }

    /**
     * The image (grey levels of its RGB) with the anomaly map ({@code mapSize x mapSize}, calibrated
     * values in about [0, 1]) blended in, stronger where the map is higher, so normal tissue stays
     * readable; the mask's outline in green where a mask is given.
     */
    static BufferedImage overlay(RgbImage image, float[] map, int mapSize, boolean[] maskOrNull) {
        int w = image.width();
        int h = image.height();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            int my = Math.min(mapSize - 1, (int) ((y + 0.5) * mapSize / h));
            for (int x = 0; x < w; x++) {
                int mx = Math.min(mapSize - 1, (int) ((x + 0.5) * mapSize / w));
                double v = Math.max(0, Math.min(1, map[my * mapSize + mx]));
                int g = grey(image, x, y);
                int[] c = jet(v);
                double a = 0.15 + 0.55 * v;
                int r = (int) Math.round(g * (1 - a) + c[0] * a);
                int gg = (int) Math.round(g * (1 - a) + c[1] * a);
                int b = (int) Math.round(g * (1 - a) + c[2] * a);
                out.setRGB(x, y, (r << 16) | (gg << 8) | b);
            }
        }
        if (maskOrNull != null) {
            outline(out, maskOrNull, 0x00FF00);
        }
        return out;
    }

    /** The image with the mask's outline (green), or the image alone. */
    static BufferedImage withOutline(RgbImage image, boolean[] maskOrNull) {
        int w = image.width();
        int h = image.height();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int g = grey(image, x, y);
                out.setRGB(x, y, (g << 16) | (g << 8) | g);
            }
        }
        if (maskOrNull != null) {
            outline(out, maskOrNull, 0x00FF00);
        }
        return out;
    }

    private static int grey(RgbImage image, int x, int y) {
        return (image.get(x, y, 0) + image.get(x, y, 1) + image.get(x, y, 2)) / 3;
    }

    /** Pixels inside the mask with a 4-neighbour outside it (the mask is image-sized). */
    private static void outline(BufferedImage img, boolean[] mask, int rgb) {
        int w = img.getWidth();
        int h = img.getHeight();
        if (mask.length != w * h) {
            return;
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (!mask[y * w + x]) {
                    continue;
                }
                boolean edge = x == 0 || y == 0 || x == w - 1 || y == h - 1 || !mask[y * w + x - 1]
                        || !mask[y * w + x + 1] || !mask[(y - 1) * w + x] || !mask[(y + 1) * w + x];
                if (edge) {
                    img.setRGB(x, y, rgb);
                }
            }
        }
    }

    /** Matplotlib-style jet: blue, cyan, yellow, red. */
    static int[] jet(double v) {
        double r = clamp(1.5 - Math.abs(4 * v - 3));
        double g = clamp(1.5 - Math.abs(4 * v - 2));
        double b = clamp(1.5 - Math.abs(4 * v - 1));
        return new int[] {(int) Math.round(255 * r), (int) Math.round(255 * g), (int) Math.round(255 * b)};
    }

    private static double clamp(double x) {
        return Math.max(0, Math.min(1, x));
    }

    /** Writes a PNG through a temporary file in the same folder, so no reader sees a partial file. */
    static void writePng(BufferedImage img, Path file) throws IOException {
        AtomicFiles.writePng(file, img);
    }
}
