package org.mvfaedge.sdk.image;

import java.util.Objects;

import org.mvfaedge.sdk.ImageDecodeException;
import org.mvfaedge.sdk.ImageDecodeException.Reason;

/**
 * An 8-bit RGB image, pixels interleaved row by row ({@code R G B R G B ...}), what the model's
 * preprocessing consumes. Immutable: the pixel array is never handed out, only copies of it.
 *
 * <p>A grey input is held as one sample per pixel (R = G = B): a third of the memory of its RGB form,
 * which matters for large radiographs. Every view of it ({@link #get}, {@link #toByteArray()}) is RGB,
 * and the resamplers, which treat channels independently with the same arithmetic, give exactly what
 * they give on the replicated RGB image.
 */
public final class RgbImage {
    private final int width;
    private final int height;
    /** Interleaved samples: 3 per pixel, or 1 for a grey image. */
    private final byte[] rgb;
    private final int channels;

    /** Wraps without copying: callers in this package hand over an array nobody else holds. */
    RgbImage(int width, int height, byte[] rgb) {
        this(width, height, rgb, 3);
    }

    private RgbImage(int width, int height, byte[] samples, int channels) {
        this.width = width;
        this.height = height;
        this.rgb = samples;
        this.channels = channels;
    }

    /** A grey image as RGB without copying or replicating its samples (package callers hand over their array). */
    static RgbImage grey(int width, int height, byte[] grey) {
        return new RgbImage(width, height, grey, 1);
    }

    /** An image from interleaved RGB bytes (copied). */
    public static RgbImage of(int width, int height, byte[] rgb) {
        return fromRaw(rgb, width, height, 3);
    }

    /**
     * An image from a raw 8-bit scanner buffer: {@code channels} 1 (grey, replicated to RGB) or 3
     * (interleaved RGB), rows top to bottom, no padding.
     *
     * @throws ImageDecodeException ({@link Reason#RAW_SIZE_MISMATCH}) when the buffer's length is not
     *     {@code width * height * channels} or the dimensions or channel count are invalid
     */
    public static RgbImage fromRaw(byte[] pixels, int width, int height, int channels) {
        Objects.requireNonNull(pixels, "pixels");
        checkRaw(pixels.length, "byte", width, height, channels);
        return new RgbImage(width, height, pixels.clone(), channels);
    }

    /**
     * An image from a raw 16-bit scanner buffer (values 0..65535 held in Java's signed shorts),
     * {@code channels} 1 or 3. Values are mapped to 8 bits as {@code round(v * 255 / 65535)}
     * (see {@link PixelDepth#from16}: a deliberate divergence from PIL, which clips).
     *
     * @throws ImageDecodeException ({@link Reason#RAW_SIZE_MISMATCH}) as for the byte variant
     */
    public static RgbImage fromRaw(short[] pixels, int width, int height, int channels) {
        Objects.requireNonNull(pixels, "pixels");
        checkRaw(pixels.length, "short", width, height, channels);
        byte[] out = new byte[pixels.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) PixelDepth.from16(pixels[i] & 0xffff);
        }
        return new RgbImage(width, height, out, channels);
    }

    static void checkRaw(int length, String type, int width, int height, int channels) {
        if (channels != 1 && channels != 3) {
            throw new ImageDecodeException(Reason.RAW_SIZE_MISMATCH, "raw buffer has " + channels
                    + " channels; only 1 (grey) or 3 (interleaved RGB) are supported");
        }
        if (width <= 0 || height <= 0) {
            throw new ImageDecodeException(Reason.RAW_SIZE_MISMATCH,
                    "raw image size " + width + " x " + height + " is invalid; width and height must be positive");
        }
        long expected = (long) width * height * channels;
        if (expected > Integer.MAX_VALUE - 8 || expected * 3 / channels > Integer.MAX_VALUE - 8) {
            throw new ImageDecodeException(Reason.RAW_SIZE_MISMATCH, "raw image " + width + " x " + height
                    + " is too large for one Java array; split or downscale it");
        }
        if (length != expected) {
            throw new ImageDecodeException(Reason.RAW_SIZE_MISMATCH, "raw " + type + " buffer holds " + length
                    + " values but " + width + " x " + height + " x " + channels + " channel(s) needs "
                    + expected + "; check the width, height and channel count you passed");
        }
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Sample {@code c} (0 red, 1 green, 2 blue) of pixel (x, y), 0..255. */
    public int get(int x, int y, int c) {
        Objects.checkIndex(x, width);
        Objects.checkIndex(y, height);
        Objects.checkIndex(c, 3);
        return channels == 1 ? rgb[y * width + x] & 0xff : rgb[(y * width + x) * 3 + c] & 0xff;
    }

    /** A copy of the interleaved RGB bytes (a grey image's samples replicated). */
    public byte[] toByteArray() {
        if (channels == 3) {
            return rgb.clone();
        }
        byte[] out = new byte[rgb.length * 3];
        for (int i = 0, o = 0; i < rgb.length; i++, o += 3) {
            out[o] = out[o + 1] = out[o + 2] = rgb[i];
        }
        return out;
    }

    /** Samples per pixel in {@link #data()}: 3, or 1 for a grey image. */
    int channels() {
        return channels;
    }

    /**
     * A smaller copy, each output pixel the mean (rounded) of the input pixels it covers: for a picture of a
     * large input (an overlay), not for the model, whose input is the PIL-exact bicubic resize.
     */
    public RgbImage averagedTo(int w, int h) {
        if (w < 1 || h < 1 || w > width || h > height) {
            throw new IllegalArgumentException("cannot average " + width + " x " + height + " to " + w + " x " + h);
        }
        int n = channels;
        byte[] out = new byte[w * h * n];
        long[] sum = new long[w * n];
        int[] count = new int[w];
        for (int oy = 0; oy < h; oy++) {
            java.util.Arrays.fill(sum, 0);
            java.util.Arrays.fill(count, 0);
            int y0 = (int) ((long) oy * height / h);
            int y1 = (int) ((long) (oy + 1) * height / h);
            for (int y = y0; y < y1; y++) {
                int row = y * width * n;
                for (int x = 0; x < width; x++) {
                    int ox = (int) ((long) x * w / width);
                    int p = row + n * x;
                    for (int c = 0; c < n; c++) {
                        sum[n * ox + c] += rgb[p + c] & 0xff;
                    }
                    count[ox]++;
                }
            }
            for (int ox = 0; ox < w; ox++) {
                int o = (oy * w + ox) * n;
                for (int c = 0; c < n; c++) {
                    out[o + c] = (byte) ((sum[n * ox + c] + count[ox] / 2) / count[ox]);
                }
            }
        }
        return new RgbImage(w, h, out, n);
    }

    /** The sample array itself ({@link #channels()} per pixel), for this package's resamplers; must not be modified. */
    byte[] data() {
        return rgb;
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + " x " + height + "]";
    }
}
