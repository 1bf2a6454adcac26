package org.mvfaedge.sdk.image;

/**
 * Port of Pillow's 8-bit bicubic resampling ({@code libImaging/Resample.c}, {@code ImagingResample}
 * with {@code BICUBIC}), which is what {@code transforms.Resize(..., Image.BICUBIC)} runs on the
 * reference's PIL images. Bit-exact: same coefficient construction in double precision, same
 * fixed-point conversion and rounding, same pass order.
 *
 * <p>Not thread-safe: it caches the coefficient tables of the last sizes it saw and a scratch
 * buffer, so repeated resizes of same-sized images allocate nothing but the output.
 */
final class BicubicResampler {
    /** Pillow: {@code PRECISION_BITS = 32 - 8 - 2}, headroom for 8-bit samples times weights summing near 1. */
    private static final int PRECISION_BITS = 32 - 8 - 2;
    /** Cubic convolution kernel support (a = -0.5 reaches 2 pixels either side). */
    private static final double SUPPORT = 2.0;

    /** Fixed-point weights of one axis: for output index i, {@code bounds[2i]} is the first source index, {@code bounds[2i+1]} the count. */
    static final class Coefficients {
        final int inSize;
        final int outSize;
        final int ksize;
        final int[] bounds;
        final int[] weights;

        Coefficients(int inSize, int outSize) {
            this.inSize = inSize;
            this.outSize = outSize;
            // Pillow passes the box as floats (in0 = 0, in1 = inSize): exact for any real image size.
            double scale = (double) inSize / outSize;
            double filterscale = Math.max(scale, 1.0);
            // When shrinking, the kernel is stretched by the scale factor (antialiasing).
            double support = SUPPORT * filterscale;
            this.ksize = (int) Math.ceil(support) * 2 + 1;
            this.bounds = new int[outSize * 2];
            this.weights = new int[outSize * ksize];
            double[] k = new double[ksize];
            double ss = 1.0 / filterscale;
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                // C's (int) cast truncates toward zero, like Java's.
                int xmin = (int) (center - support + 0.5);
                if (xmin < 0) {
                    xmin = 0;
                }
                int xmax = (int) (center + support + 0.5);
                if (xmax > inSize) {
                    xmax = inSize;
                }
                xmax -= xmin;
                double ww = 0.0;
                for (int x = 0; x < xmax; x++) {
                    double w = cubic((x + xmin - center + 0.5) * ss);
                    k[x] = w;
                    ww += w;
                }
                for (int x = 0; x < xmax; x++) {
                    double v = ww != 0.0 ? k[x] / ww : k[x];
                    // normalize_coeffs_8bpc: round half away from zero to 2^22 fixed point.
                    weights[xx * ksize + x] = v < 0
                            ? (int) (-0.5 + v * (1 << PRECISION_BITS))
                            : (int) (0.5 + v * (1 << PRECISION_BITS));
                }
                bounds[xx * 2] = xmin;
                bounds[xx * 2 + 1] = xmax;
            }
        }

        boolean matches(int in, int out) {
            return inSize == in && outSize == out;
        }
    }

    /** Pillow's {@code bicubic_filter}: Keys' cubic convolution with a = -0.5. */
    static double cubic(double x) {
        final double a = -0.5;
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    private Coefficients horizontal;
    private Coefficients vertical;
    private byte[] scratch = new byte[0];

    private Coefficients horizontal(int in, int out) {
        if (horizontal == null || !horizontal.matches(in, out)) {
            horizontal = new Coefficients(in, out);
        }
        return horizontal;
    }

    private Coefficients vertical(int in, int out) {
        if (vertical == null || !vertical.matches(in, out)) {
            vertical = new Coefficients(in, out);
        }
        return vertical;
    }

    /**
     * Resizes interleaved 8-bit samples ({@code channels} per pixel) from w x h to outW x outH into
     * {@code dst} (length {@code outW * outH * channels}). A pass whose size does not change is
     * skipped, as Pillow does, so a same-size resize is a copy.
     */
    void resize(byte[] src, int w, int h, int channels, int outW, int outH, byte[] dst) {
        boolean needHorizontal = outW != w;
        boolean needVertical = outH != h;
        if (!needHorizontal && !needVertical) {
            System.arraycopy(src, 0, dst, 0, w * h * channels);
            return;
        }
        if (!needVertical) {
            resampleHorizontal(src, w, channels, 0, h, horizontal(w, outW), dst);
            return;
        }
        Coefficients kv = vertical(h, outH);
        if (!needHorizontal) {
            resampleVertical(src, w, channels, 0, kv, dst);
            return;
        }
        // Only the source rows the vertical pass reads are resampled horizontally (as Pillow does;
        // the result is the same, it saves work).
        int firstRow = kv.bounds[0];
        int lastRow = kv.bounds[outH * 2 - 2] + kv.bounds[outH * 2 - 1];
        int rows = lastRow - firstRow;
        int tempLen = outW * rows * channels;
        if (scratch.length < tempLen) {
            scratch = new byte[tempLen];
        }
        resampleHorizontal(src, w, channels, firstRow, rows, horizontal(w, outW), scratch);
        resampleVertical(scratch, outW, channels, firstRow, kv, dst);
    }

    /** Horizontal pass over source rows {@code firstRow .. firstRow + rows}. */
    private static void resampleHorizontal(byte[] src, int w, int channels, int firstRow, int rows,
            Coefficients k, byte[] dst) {
        int outW = k.outSize;
        int ksize = k.ksize;
        int[] bounds = k.bounds;
        int[] weights = k.weights;
        int o = 0;
        for (int yy = 0; yy < rows; yy++) {
            int rowStart = (yy + firstRow) * w * channels;
            for (int xx = 0; xx < outW; xx++) {
                int xmin = bounds[xx * 2];
                int xmax = bounds[xx * 2 + 1];
                int kOff = xx * ksize;
                for (int c = 0; c < channels; c++) {
                    int ss = 1 << (PRECISION_BITS - 1);
                    int s = rowStart + xmin * channels + c;
                    for (int x = 0; x < xmax; x++, s += channels) {
                        ss += (src[s] & 0xff) * weights[kOff + x];
                    }
                    dst[o++] = clip8(ss);
                }
            }
        }
    }

    /** Vertical pass; {@code rowOffset} is subtracted from the coefficient bounds (the rows skipped above). */
    private static void resampleVertical(byte[] src, int w, int channels, int rowOffset, Coefficients k,
            byte[] dst) {
        int outH = k.outSize;
        int ksize = k.ksize;
        int[] bounds = k.bounds;
        int[] weights = k.weights;
        int stride = w * channels;
        int o = 0;
        for (int yy = 0; yy < outH; yy++) {
            int ymin = bounds[yy * 2] - rowOffset;
            int ymax = bounds[yy * 2 + 1];
            int kOff = yy * ksize;
            for (int i = 0; i < stride; i++) {
                int ss = 1 << (PRECISION_BITS - 1);
                int s = ymin * stride + i;
                for (int y = 0; y < ymax; y++, s += stride) {
                    ss += (src[s] & 0xff) * weights[kOff + y];
                }
                dst[o++] = clip8(ss);
            }
        }
    }

    /** Pillow's {@code clip8}: drop the fixed-point fraction and clamp to 0..255. */
    private static byte clip8(int v) {
        int r = v >> PRECISION_BITS;
        if (r < 0) {
            return 0;
        }
        return (byte) (r > 255 ? 255 : r);
    }
}
