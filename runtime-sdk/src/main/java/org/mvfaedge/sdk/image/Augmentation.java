package org.mvfaedge.sdk.image;

import java.util.Objects;

/**
 * The reference's few-shot augmentation ({@code utils.augment}): each image becomes {@link #COUNT}
 * images, in this order: the original; rotations by -pi/8, -pi/16, pi/16, pi/8; translations by
 * (0.1, 0.1), (-0.1, 0.1), (-0.1, -0.1), (0.1, -0.1); a horizontal flip; a vertical flip. A mask, if
 * given, is transformed identically (and, as in the reference, not binarised afterwards).
 *
 * <p>Rotations and translations are {@code F.affine_grid} + {@code F.grid_sample} (bilinear,
 * reflection padding, align_corners false), computed in float32 in the order PyTorch's CPU kernels
 * use, so results agree with the reference to about 1e-6. Works on channel-first (CHW) float
 * arrays of any size and channel count.
 */
public final class Augmentation {
    /** Number of images one input becomes. */
    public static final int COUNT = 11;

    /** The affine matrices [[a, b, c], [d, e, f]] acting on normalised output coordinates (x, y, 1). */
    private static final float[][] AFFINE = {
        rotation(-Math.PI / 8), rotation(-Math.PI / 16), rotation(Math.PI / 16), rotation(Math.PI / 8),
        translation(0.1, 0.1), translation(-0.1, 0.1), translation(-0.1, -0.1), translation(0.1, -0.1),
    };

    private Augmentation() {
    }

    /** Augmented images [COUNT, C, H, W] and masks [COUNT, 1, H, W], flat. */
    public record Augmented(float[] images, float[] masks) {
    }

    /**
     * Augments one image (CHW, {@code channels * height * width} values) into a new
     * [COUNT, channels, height, width] array.
     */
    public static float[] augment(float[] image, int channels, int height, int width) {
        checkLength(image, channels, height, width, "image");
        float[] out = new float[COUNT * channels * height * width];
        augmentInto(image, channels, height, width, out, 0);
        return out;
    }

    /**
     * Augments one image into {@code out} from {@code offset} ({@code COUNT * channels * height * width}
     * values), e.g. into a batch tensor, without allocating the result.
     */
    public static void augment(float[] image, int channels, int height, int width, float[] out, int offset) {
        checkLength(image, channels, height, width, "image");
        Objects.checkFromIndexSize(offset, COUNT * channels * height * width, out.length);
        augmentInto(image, channels, height, width, out, offset);
    }

    /**
     * Augments an image and its mask ([1, H, W]) identically. With a null mask, the masks are all
     * zero, as the reference returns for normal shots.
     */
    public static Augmented augment(float[] image, float[] mask, int channels, int height, int width) {
        if (mask != null) {
            checkLength(mask, 1, height, width, "mask");
        }
        float[] images = augment(image, channels, height, width);
        float[] masks;
        if (mask == null) {
            masks = new float[COUNT * height * width];
        } else {
            masks = augment(mask, 1, height, width);
        }
        return new Augmented(images, masks);
    }

    private static void augmentInto(float[] src, int channels, int height, int width, float[] out, int offset) {
        int plane = height * width;
        int n = channels * plane;
        System.arraycopy(src, 0, out, offset, n);
        Sampler sampler = new Sampler(height, width);
        for (int t = 0; t < AFFINE.length; t++) {
            sampler.prepare(AFFINE[t]);
            for (int c = 0; c < channels; c++) {
                sampler.sample(src, c * plane, out, offset + (1 + t) * n + c * plane);
            }
        }
        // Kornia's hflip / vflip: x.flip(-1) and x.flip(-2), exact copies.
        int hflip = offset + (1 + AFFINE.length) * n;
        int vflip = hflip + n;
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                int row = c * plane + y * width;
                int mirrorRow = c * plane + (height - 1 - y) * width;
                for (int x = 0; x < width; x++) {
                    out[hflip + row + x] = src[row + width - 1 - x];
                }
                System.arraycopy(src, mirrorRow, out, vflip + row, width);
            }
        }
    }

    /**
     * Reference: {@code get_rot_mat} builds the matrix from {@code torch.cos/sin} of a float64 angle,
     * then casts it to float32.
     */
    private static float[] rotation(double theta) {
        float c = (float) Math.cos(theta);
        float s = (float) Math.sin(theta);
        return new float[] {c, -s, 0f, s, c, 0f};
    }

    private static float[] translation(double a, double b) {
        return new float[] {1f, 0f, (float) a, 0f, 1f, (float) b};
    }

    /**
     * {@code affine_grid} (align_corners false) + {@code grid_sample} (bilinear, reflection) for one
     * matrix: the four source indices and weights of every output pixel, shared by all channels.
     */
    private static final class Sampler {
        private final int height;
        private final int width;
        private final float[] baseX;
        private final float[] baseY;
        private final int[] index;   // 4 per pixel: nw, ne, sw, se (-1 = outside, contributes 0)
        private final float[] weight; // 4 per pixel

        Sampler(int height, int width) {
            this.height = height;
            this.width = width;
            this.baseX = base(width);
            this.baseY = base(height);
            this.index = new int[height * width * 4];
            this.weight = new float[height * width * 4];
        }

        /**
         * affine_grid's base coordinates: {@code linspace(-1, 1, n) * (n - 1) / n}, i.e. pixel
         * centres in normalised units (align_corners false). linspace as ATen computes it in float:
         * from the start for the first half, from the end for the second.
         */
        private static float[] base(int n) {
            float[] r = new float[n];
            if (n <= 1) {
                return r;
            }
            float step = (1f - -1f) / (n - 1);
            int half = n / 2;
            for (int i = 0; i < n; i++) {
                float v = i < half ? -1f + step * i : 1f - step * (n - i - 1);
                r[i] = v * (n - 1) / n;
            }
            return r;
        }

        void prepare(float[] m) {
            int p = 0;
            for (int y = 0; y < height; y++) {
                float by = baseY[y];
                for (int x = 0; x < width; x++, p++) {
                    float bx = baseX[x];
                    // grid = base @ theta^T
                    float gx = bx * m[0] + by * m[1] + m[2];
                    float gy = bx * m[3] + by * m[4] + m[5];
                    float ix = sourceCoordinate(gx, width);
                    float iy = sourceCoordinate(gy, height);
                    float xw = (float) Math.floor(ix);
                    float yn = (float) Math.floor(iy);
                    float w = ix - xw;
                    float e = 1f - w;
                    float nn = iy - yn;
                    float s = 1f - nn;
                    int x0 = (int) xw;
                    int y0 = (int) yn;
                    int q = p * 4;
                    set(q, x0, y0, s * e);
                    set(q + 1, x0 + 1, y0, s * w);
                    set(q + 2, x0, y0 + 1, nn * e);
                    set(q + 3, x0 + 1, y0 + 1, nn * w);
                }
            }
        }

        private void set(int q, int x, int y, float w) {
            boolean inside = x >= 0 && x < width && y >= 0 && y < height;
            index[q] = inside ? y * width + x : -1;
            weight[q] = inside ? w : 0f;
        }

        void sample(float[] src, int srcOffset, float[] dst, int dstOffset) {
            int n = height * width;
            for (int p = 0, q = 0; p < n; p++, q += 4) {
                float v = 0f;
                for (int k = 0; k < 4; k++) {
                    int i = index[q + k];
                    // Same summation order as ATen: nw, ne, sw, se.
                    v += (i < 0 ? 0f : src[srcOffset + i]) * weight[q + k];
                }
                dst[dstOffset + p] = v;
            }
        }

        /**
         * grid_sample's source coordinate for align_corners false and reflection padding, as ATen's
         * vectorised CPU kernel computes it: unnormalise to pixel units ({@code (g + 1) * size/2 - 0.5}),
         * reflect about -0.5 and size - 0.5 (fold by twice the span, then mirror), clip to [0, size - 1].
         */
        private static float sourceCoordinate(float g, int size) {
            float coord = (g + 1f) * ((float) size / 2) - 0.5f;
            float low = -0.5f;
            float twiceSpan = (float) size * 2;
            float absIn = Math.abs(coord - low);
            float doubleFlips = (float) (int) (absIn / twiceSpan);
            float extra = absIn - doubleFlips * twiceSpan;
            float reflected = Math.min(extra, twiceSpan - extra) + low;
            return Math.min(size - 1f, Math.max(reflected, 0f));
        }
    }

    private static void checkLength(float[] a, int channels, int height, int width, String what) {
        Objects.requireNonNull(a, what);
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException(what + " shape must be positive: " + channels + " x " + height + " x " + width);
        }
        if ((long) channels * height * width != a.length) {
            throw new IllegalArgumentException(what + " holds " + a.length + " values, not " + channels + " x "
                    + height + " x " + width);
        }
    }
}
