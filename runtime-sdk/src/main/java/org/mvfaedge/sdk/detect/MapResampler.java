package org.mvfaedge.sdk.detect;

/**
 * Bilinear resampling of the model's S x S anomaly map to the input image's width x height.
 *
 * <p>Pixel centres are aligned ({@code align_corners=false}: source coordinate
 * {@code (dst + 0.5) * in / out - 0.5}, clamped to the border), because the S x S map covers the
 * same field of view as the S x S resized input, whose pixels PIL's resize maps centre to centre.
 * (The reference's {@code align_corners=true} upsampling is of the patch grid inside the graph, a
 * different step.)
 */
public final class MapResampler {
    private MapResampler() {
    }

    /** {@code src} [inH, inW] row-major resampled into {@code out} [outH, outW]. */
    public static void resize(float[] src, int inW, int inH, float[] out, int outW, int outH) {
        if (src.length < inW * inH || out.length < outW * outH) {
            throw new IllegalArgumentException("buffers too small for " + inW + "x" + inH + " -> " + outW + "x" + outH);
        }
        int[] x0 = new int[outW];
        int[] x1 = new int[outW];
        float[] fx = new float[outW];
        table(inW, outW, x0, x1, fx);
        int[] y0 = new int[outH];
        int[] y1 = new int[outH];
        float[] fy = new float[outH];
        table(inH, outH, y0, y1, fy);
        for (int y = 0; y < outH; y++) {
            int r0 = y0[y] * inW;
            int r1 = y1[y] * inW;
            float wy = fy[y];
            int o = y * outW;
            for (int x = 0; x < outW; x++) {
                float top = src[r0 + x0[x]] + (src[r0 + x1[x]] - src[r0 + x0[x]]) * fx[x];
                float bottom = src[r1 + x0[x]] + (src[r1 + x1[x]] - src[r1 + x0[x]]) * fx[x];
                out[o + x] = top + (bottom - top) * wy;
            }
        }
    }

    /** Neighbour indices and weights of every output coordinate along one axis. */
    private static void table(int in, int out, int[] i0, int[] i1, float[] f) {
        double scale = (double) in / out;
        for (int d = 0; d < out; d++) {
            double s = (d + 0.5) * scale - 0.5;
            if (s < 0) {
                s = 0;
            }
            int a = (int) Math.floor(s);
            if (a >= in - 1) {
                i0[d] = i1[d] = in - 1;
                f[d] = 0;
            } else {
                i0[d] = a;
                i1[d] = a + 1;
                f[d] = (float) (s - a);
            }
        }
    }
}
