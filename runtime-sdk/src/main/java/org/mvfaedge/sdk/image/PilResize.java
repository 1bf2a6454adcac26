package org.mvfaedge.sdk.image;

import java.util.Objects;

/**
 * PIL-compatible resizing of 8-bit images: {@code Image.resize(size, BICUBIC)} (model input) and
 * {@code Image.resize(size, NEAREST)} (masks), bit-exact with Pillow. Works on any number of
 * interleaved channels. A same-size resize returns a copy, as Pillow does.
 */
public final class PilResize {
    private PilResize() {
    }

    /** Bicubic resize of an RGB image. */
    public static RgbImage bicubic(RgbImage image, int outWidth, int outHeight) {
        byte[] out = bicubic(image.data(), image.width(), image.height(), image.channels(), outWidth, outHeight);
        return image.channels() == 1 ? RgbImage.grey(outWidth, outHeight, out) : new RgbImage(outWidth, outHeight, out);
    }

    /** Bicubic resize of a grey image. */
    public static GreyImage bicubic(GreyImage image, int outWidth, int outHeight) {
        return new GreyImage(outWidth, outHeight,
                bicubic(image.data(), image.width(), image.height(), 1, outWidth, outHeight));
    }

    /** Nearest-neighbour resize of an RGB image. */
    public static RgbImage nearest(RgbImage image, int outWidth, int outHeight) {
        byte[] out = nearest(image.data(), image.width(), image.height(), image.channels(), outWidth, outHeight);
        return image.channels() == 1 ? RgbImage.grey(outWidth, outHeight, out) : new RgbImage(outWidth, outHeight, out);
    }

    /** Nearest-neighbour resize of a grey image (masks). */
    public static GreyImage nearest(GreyImage image, int outWidth, int outHeight) {
        return new GreyImage(outWidth, outHeight,
                nearest(image.data(), image.width(), image.height(), 1, outWidth, outHeight));
    }

    /** Bicubic resize of interleaved 8-bit samples; returns a new array of outW x outH x channels. */
    public static byte[] bicubic(byte[] src, int width, int height, int channels, int outWidth, int outHeight) {
        checkArgs(src, width, height, channels, outWidth, outHeight);
        byte[] dst = new byte[outWidth * outHeight * channels];
        new BicubicResampler().resize(src, width, height, channels, outWidth, outHeight, dst);
        return dst;
    }

    /** Nearest-neighbour resize of interleaved 8-bit samples; returns a new array. */
    public static byte[] nearest(byte[] src, int width, int height, int channels, int outWidth, int outHeight) {
        checkArgs(src, width, height, channels, outWidth, outHeight);
        byte[] dst = new byte[outWidth * outHeight * channels];
        nearestInto(src, width, height, channels, outWidth, outHeight, dst, new int[outWidth]);
        return dst;
    }

    /**
     * Port of Pillow's {@code ImagingScaleAffine} as {@code Image.resize(NEAREST)} calls it: source
     * position of output pixel x is {@code floor(scale * 0.5 + x * scale)}, with the position
     * accumulated by repeated addition exactly as Pillow does (multiplying instead can land on the
     * other side of an integer). Output pixels that fall outside the source stay 0 (Pillow's fill).
     */
    static void nearestInto(byte[] src, int w, int h, int channels, int outW, int outH, byte[] dst, int[] xTable) {
        if (w == outW && h == outH) {
            System.arraycopy(src, 0, dst, 0, w * h * channels);
            return;
        }
        double ax = (double) w / outW;
        double ay = (double) h / outH;
        double xo = ax * 0.5;
        int xmin = outW;
        int xmax = 0;
        for (int x = 0; x < outW; x++) {
            int xin = coord(xo);
            if (xin >= 0 && xin < w) {
                xmax = x + 1;
                if (x < xmin) {
                    xmin = x;
                }
                xTable[x] = xin;
            }
            xo += ax;
        }
        double yo = ay * 0.5;
        for (int y = 0; y < outH; y++) {
            int yi = coord(yo);
            int rowOut = y * outW * channels;
            java.util.Arrays.fill(dst, rowOut, rowOut + outW * channels, (byte) 0);
            if (yi >= 0 && yi < h) {
                int rowIn = yi * w * channels;
                for (int x = xmin; x < xmax; x++) {
                    int s = rowIn + xTable[x] * channels;
                    int d = rowOut + x * channels;
                    for (int c = 0; c < channels; c++) {
                        dst[d + c] = src[s + c];
                    }
                }
            }
            yo += ay;
        }
    }

    /** Pillow's {@code COORD}: -1 for negative positions, else truncation. */
    private static int coord(double v) {
        return v < 0.0 ? -1 : (int) v;
    }

    static void checkArgs(byte[] src, int width, int height, int channels, int outWidth, int outHeight) {
        Objects.requireNonNull(src, "src");
        if (width <= 0 || height <= 0 || outWidth <= 0 || outHeight <= 0 || channels <= 0) {
            throw new IllegalArgumentException("sizes and channels must be positive: " + width + " x " + height
                    + " x " + channels + " -> " + outWidth + " x " + outHeight);
        }
        if ((long) width * height * channels != src.length) {
            throw new IllegalArgumentException("source holds " + src.length + " samples, not " + width + " x "
                    + height + " x " + channels);
        }
    }
}
