package org.mvfaedge.trainer.weights;

/**
 * Resizes a ViT's position table to another patch grid, as MVFA's {@code resize_pos_embed} does when
 * the run's image size differs from CLIP's native one: the CLS row is kept; the grid rows, reshaped
 * to an image [1, width, oldGrid, oldGrid], go through {@code F.interpolate(mode='bicubic',
 * antialias=True, align_corners=False)} and back to rows.
 *
 * <p>PyTorch's antialiased bicubic is separable: the last axis (x) first, then y; each pass uses
 * Keys' cubic kernel with a = -0.5, the kernel's support widened by the scale factor when shrinking,
 * and each output's weights normalised to sum 1. Everything is float32, like the reference on a
 * float tensor, without rounding.
 */
public final class PositionEmbedding {
    private static final float A = -0.5f;

    private PositionEmbedding() {
    }

    /**
     * @param table [(oldGrid^2 + 1) * width] rows of the position table, CLS first, row-major
     * @return [(newGrid^2 + 1) * width]; the same values when the grids are equal
     */
    public static float[] resize(float[] table, int width, int oldGrid, int newGrid) {
        if (width <= 0 || oldGrid <= 0 || newGrid <= 0) {
            throw new IllegalArgumentException("width and grids must be positive: width " + width + ", grids "
                    + oldGrid + " -> " + newGrid);
        }
        long rows = (long) oldGrid * oldGrid + 1;
        if (table.length != rows * width) {
            throw new IllegalArgumentException("position table has " + table.length + " values, expected ("
                    + oldGrid + "^2 + 1) x " + width + " = " + rows * width);
        }
        if (oldGrid == newGrid) {
            return table.clone();
        }
        float[] out = new float[(newGrid * newGrid + 1) * width];
        System.arraycopy(table, 0, out, 0, width);
        // Grid rows are (y, x) with channels innermost: [oldGrid][oldGrid][width] from offset width.
        Weights wx = Weights.of(oldGrid, newGrid);
        float[] horizontal = new float[oldGrid * newGrid * width];
        for (int y = 0; y < oldGrid; y++) {
            for (int x = 0; x < newGrid; x++) {
                int dst = (y * newGrid + x) * width;
                for (int c = 0; c < width; c++) {
                    float t = 0f;
                    for (int j = 0; j < wx.size[x]; j++) {
                        t += table[width + (y * oldGrid + wx.min[x] + j) * width + c] * wx.w[x][j];
                    }
                    horizontal[dst + c] = t;
                }
            }
        }
        Weights wy = Weights.of(oldGrid, newGrid);
        for (int y = 0; y < newGrid; y++) {
            for (int x = 0; x < newGrid; x++) {
                int dst = width + (y * newGrid + x) * width;
                for (int c = 0; c < width; c++) {
                    float t = 0f;
                    for (int j = 0; j < wy.size[y]; j++) {
                        t += horizontal[((wy.min[y] + j) * newGrid + x) * width + c] * wy.w[y][j];
                    }
                    out[dst + c] = t;
                }
            }
        }
        return out;
    }

    /** Per output index: first input index, number of taps and their normalised weights. */
    private static final class Weights {
        final int[] min;
        final int[] size;
        final float[][] w;

        private Weights(int n) {
            min = new int[n];
            size = new int[n];
            w = new float[n][];
        }

        /** PyTorch's {@code _compute_indices_weights_aa} for the bicubic filter, align_corners=False. */
        static Weights of(int in, int out) {
            Weights r = new Weights(out);
            float scale = (float) in / out;
            // interp_size is 4 for bicubic: support 2, widened by the scale factor when shrinking.
            float support = scale >= 1f ? 2f * scale : 2f;
            float invScale = scale >= 1f ? 1f / scale : 1f;
            for (int i = 0; i < out; i++) {
                float center = (float) (scale * (i + 0.5));
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xsize = Math.min((int) (center + support + 0.5), in) - xmin;
                float[] w = new float[Math.max(xsize, 0)];
                float total = 0f;
                for (int j = 0; j < w.length; j++) {
                    w[j] = cubic((float) (((j + xmin) - center + 0.5) * invScale));
                    total += w[j];
                }
                if (total != 0f) {
                    for (int j = 0; j < w.length; j++) {
                        w[j] /= total;
                    }
                }
                r.min[i] = xmin;
                r.size[i] = w.length;
                r.w[i] = w;
            }
            return r;
        }
    }

    /** Keys' cubic convolution kernel with a = -0.5 (PyTorch's and PIL's bicubic). */
    static float cubic(float x) {
        x = Math.abs(x);
        if (x < 1f) {
            return ((A + 2f) * x - (A + 3f)) * x * x + 1f;
        }
        if (x < 2f) {
            return ((A * x - 5f * A) * x + 8f * A) * x - 4f * A;
        }
        return 0f;
    }
}
