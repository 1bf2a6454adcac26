package org.mvfaedge.trainer.demo;

import java.util.SplittableRandom;

/**
 * Smooth random fields for the synthetic images: value noise (a coarse grid of uniform values,
 * smoothstep-interpolated) summed over octaves. Real scans have structure at several scales (tissue
 * texture, coil bias field, vessel markings); a single octave looks like blobs, white noise like sand.
 */
final class Noise {
    private Noise() {
    }

    /**
     * A {@code size x size} field in roughly [-1, 1]: {@code octaves} layers starting at {@code cells}
     * cells per side, each twice as fine and half as strong as the previous one.
     */
    static float[] fractal(SplittableRandom rng, int size, int cells, int octaves) {
        float[] out = new float[size * size];
        double amp = 1;
        double total = 0;
        for (int o = 0; o < octaves; o++) {
            float[] layer = value(rng, size, cells << o);
            for (int i = 0; i < out.length; i++) {
                out[i] += (float) (amp * layer[i]);
            }
            total += amp;
            amp *= 0.5;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= (float) total;
        }
        return out;
    }

    /** One octave of value noise in [-1, 1] with {@code cells} cells per side. */
    static float[] value(SplittableRandom rng, int size, int cells) {
        int n = cells + 2;
        double[] grid = new double[n * n];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = rng.nextDouble() * 2 - 1;
        }
        float[] out = new float[size * size];
        double step = (double) cells / size;
        for (int y = 0; y < size; y++) {
            double gy = y * step;
            int iy = (int) gy;
            double ty = smooth(gy - iy);
            for (int x = 0; x < size; x++) {
                double gx = x * step;
                int ix = (int) gx;
                double tx = smooth(gx - ix);
                double a = grid[iy * n + ix];
                double b = grid[iy * n + ix + 1];
                double c = grid[(iy + 1) * n + ix];
                double d = grid[(iy + 1) * n + ix + 1];
                out[y * size + x] = (float) ((a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty);
            }
        }
        return out;
    }

    static double smooth(double t) {
        return t * t * (3 - 2 * t);
    }

    /** 0 below {@code e0}, 1 above {@code e1}, smoothstep between: soft tissue boundaries. */
    static double step(double e0, double e1, double x) {
        if (x <= e0) {
            return 0;
        }
        if (x >= e1) {
            return 1;
        }
        return smooth((x - e0) / (e1 - e0));
    }

    /** A normal draw (Box-Muller), for acquisition noise. */
    static double gaussian(SplittableRandom rng) {
        double u = Math.max(rng.nextDouble(), 1e-12);
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** A uniform draw in [lo, hi). */
    static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }

    /** A 3 x 3 box blur, applied {@code passes} times: the point spread of the scanner. */
    static float[] blur(float[] img, int size, int passes) {
        float[] a = img.clone();
        float[] b = new float[a.length];
        for (int p = 0; p < passes; p++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double s = 0;
                    int c = 0;
                    for (int dy = -1; dy <= 1; dy++) {
                        int yy = y + dy;
                        if (yy < 0 || yy >= size) {
                            continue;
                        }
                        for (int dx = -1; dx <= 1; dx++) {
                            int xx = x + dx;
                            if (xx < 0 || xx >= size) {
                                continue;
                            }
                            s += a[yy * size + xx];
                            c++;
                        }
                    }
                    b[y * size + x] = (float) (s / c);
                }
            }
            float[] t = a;
            a = b;
            b = t;
        }
        return a;
    }
}
