package org.mvfaedge.trainer.export;

import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.weights.AdapterWeights;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * A deliberately plain, double-precision transcription of the reference (CLIP_Inplanted.forward,
 * test_zero.py, test_few.py) for one image, sharing no code with the exporter. It is checked against
 * the fixture, then used as the expectation for configurations the fixture does not cover.
 */
final class ReferenceForward {
    private final StateDict clip;
    private final AdapterWeights adapters;
    private final int size;
    private final int[] features;
    private final Activation activation;
    private final int width;
    private final int patch;
    private final int grid;

    ReferenceForward(StateDict clip, AdapterWeights adapters, int size, int[] features, Activation activation) {
        this.clip = clip;
        this.adapters = adapters;
        this.size = size;
        this.features = features.clone();
        this.activation = activation;
        this.width = (int) clip.require("visual.conv1.weight").dim(0);
        this.patch = (int) clip.require("visual.conv1.weight").dim(2);
        this.grid = size / patch;
    }

    /** Seg tokens [level][token][c] and det tokens, CLS first, in level order. */
    record Tokens(double[][][] seg, double[][][] det) {
    }

    Tokens tokens(float[] image) {
        int L = 1 + grid * grid;
        float[] conv = clip.require("visual.conv1.weight").floats();
        float[] cls = clip.require("visual.class_embedding").floats();
        float[] pos = clip.require("visual.positional_embedding").floats();
        double[][] x = new double[L][width];
        for (int o = 0; o < width; o++) {
            x[0][o] = cls[o] + pos[o];
        }
        for (int gy = 0; gy < grid; gy++) {
            for (int gx = 0; gx < grid; gx++) {
                int t = 1 + gy * grid + gx;
                for (int o = 0; o < width; o++) {
                    double s = 0;
                    for (int c = 0; c < 3; c++) {
                        for (int ky = 0; ky < patch; ky++) {
                            for (int kx = 0; kx < patch; kx++) {
                                s += conv[((o * 3 + c) * patch + ky) * patch + kx]
                                        * image[(c * size + gy * patch + ky) * size + gx * patch + kx];
                            }
                        }
                    }
                    x[t][o] = s + pos[t * width + o];
                }
            }
        }
        x = layerNorm(x, "visual.ln_pre");
        double[][][] seg = new double[features.length][][];
        double[][][] det = new double[features.length][][];
        int last = features[features.length - 1];
        for (int layer = 1; layer <= last; layer++) {
            x = block(x, "visual.transformer.resblocks." + (layer - 1) + ".");
            for (int k = 0; k < features.length; k++) {
                if (features[k] != layer) {
                    continue;
                }
                seg[k] = leaky(linear(x, adapters.fc1("seg", k).floats(), null));
                det[k] = leaky(linear(x, adapters.fc1("det", k).floats(), null));
                double[][] segOut = leaky(linear(seg[k], adapters.fc2("seg", k).floats(), null));
                double[][] detOut = leaky(linear(det[k], adapters.fc2("det", k).floats(), null));
                for (int t = 0; t < L; t++) {
                    for (int c = 0; c < width; c++) {
                        x[t][c] = 0.8 * x[t][c] + 0.1 * segOut[t][c] + 0.1 * detOut[t][c];
                    }
                }
            }
        }
        return new Tokens(seg, det);
    }

    private double[][] block(double[][] x, String p) {
        int L = x.length;
        int heads = width / 64;
        double[][] h = layerNorm(x, p + "ln_1");
        double[][] qkv = linear(h, clip.require(p + "attn.in_proj_weight").floats(),
                clip.require(p + "attn.in_proj_bias").floats());
        double[][] ctx = new double[L][width];
        for (int hd = 0; hd < heads; hd++) {
            for (int i = 0; i < L; i++) {
                double[] s = new double[L];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < L; j++) {
                    double d = 0;
                    for (int e = 0; e < 64; e++) {
                        d += qkv[i][hd * 64 + e] / Math.sqrt(64) * qkv[j][width + hd * 64 + e];
                    }
                    s[j] = d;
                    max = Math.max(max, d);
                }
                double sum = 0;
                for (int j = 0; j < L; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int j = 0; j < L; j++) {
                    for (int e = 0; e < 64; e++) {
                        ctx[i][hd * 64 + e] += s[j] / sum * qkv[j][2 * width + hd * 64 + e];
                    }
                }
            }
        }
        double[][] attn = linear(ctx, clip.require(p + "attn.out_proj.weight").floats(),
                clip.require(p + "attn.out_proj.bias").floats());
        x = add(x, attn);
        double[][] m = linear(layerNorm(x, p + "ln_2"), clip.require(p + "mlp.c_fc.weight").floats(),
                clip.require(p + "mlp.c_fc.bias").floats());
        for (double[] row : m) {
            for (int i = 0; i < row.length; i++) {
                double v = row[i];
                row[i] = activation == Activation.GELU ? 0.5 * v * (1 + erf(v / Math.sqrt(2)))
                        : v / (1 + Math.exp(-1.702 * v));
            }
        }
        return add(x, linear(m, clip.require(p + "mlp.c_proj.weight").floats(), clip.require(p + "mlp.c_proj.bias").floats()));
    }

    /** Zero-shot pixel map [S*S] (seg tokens) summed over levels. */
    double[] zeroMap(Tokens tk, float[] text) {
        double[] out = new double[size * size];
        for (double[][] level : tk.seg()) {
            double[][] logits = logits(level, text);
            double[][] l0 = new double[grid][grid];
            double[][] l1 = new double[grid][grid];
            for (int t = 0; t < grid * grid; t++) {
                l0[t / grid][t % grid] = logits[t][0];
                l1[t / grid][t % grid] = logits[t][1];
            }
            double[] u0 = upsample(l0);
            double[] u1 = upsample(l1);
            for (int i = 0; i < out.length; i++) {
                out[i] += 1 / (1 + Math.exp(u0[i] - u1[i]));
            }
        }
        return out;
    }

    /** Zero-shot image score (det tokens) summed over levels. */
    double zeroScore(Tokens tk, float[] text) {
        double score = 0;
        for (double[][] level : tk.det()) {
            double[][] logits = logits(level, text);
            double mean = 0;
            for (double[] l : logits) {
                mean += 1 / (1 + Math.exp(l[0] - l[1]));
            }
            score += mean / logits.length;
        }
        return score;
    }

    /** Few-shot map [S*S] of one branch's tokens against that branch's bank rows, summed over levels. */
    double[] fewMap(double[][][] levels, float[][] banks, int dim) {
        double[] out = new double[size * size];
        for (int k = 0; k < levels.length; k++) {
            double[][] d = new double[grid][grid];
            for (int t = 0; t < grid * grid; t++) {
                double[] q = unit(levels[k][t + 1]);
                double best = Double.NEGATIVE_INFINITY;
                for (int r = 0; r < banks[k].length / dim; r++) {
                    double[] row = new double[dim];
                    for (int c = 0; c < dim; c++) {
                        row[c] = banks[k][r * dim + c];
                    }
                    row = unit(row);
                    double cos = 0;
                    for (int c = 0; c < dim; c++) {
                        cos += q[c] * row[c];
                    }
                    best = Math.max(best, cos);
                }
                d[t / grid][t % grid] = 1 - best;
            }
            double[] u = upsample(d);
            for (int i = 0; i < out.length; i++) {
                out[i] += u[i];
            }
        }
        return out;
    }

    private double[][] logits(double[][] tokens, float[] text) {
        double[][] out = new double[tokens.length - 1][2];
        for (int t = 1; t < tokens.length; t++) {
            double[] u = unit(tokens[t]);
            for (int c = 0; c < u.length; c++) {
                out[t - 1][0] += 100 * u[c] * text[c * 2];
                out[t - 1][1] += 100 * u[c] * text[c * 2 + 1];
            }
        }
        return out;
    }

    /** Bilinear, align_corners=True: source = dst * (in - 1) / (out - 1). */
    private double[] upsample(double[][] in) {
        int n = in.length;
        double[] out = new double[size * size];
        double scale = size > 1 ? (n - 1) / (double) (size - 1) : 0;
        for (int y = 0; y < size; y++) {
            double sy = y * scale;
            int y0 = (int) Math.floor(sy);
            int y1 = Math.min(y0 + 1, n - 1);
            double fy = sy - y0;
            for (int x = 0; x < size; x++) {
                double sx = x * scale;
                int x0 = (int) Math.floor(sx);
                int x1 = Math.min(x0 + 1, n - 1);
                double fx = sx - x0;
                out[y * size + x] = (1 - fy) * ((1 - fx) * in[y0][x0] + fx * in[y0][x1])
                        + fy * ((1 - fx) * in[y1][x0] + fx * in[y1][x1]);
            }
        }
        return out;
    }

    private static double[] unit(double[] v) {
        double n = 0;
        for (double d : v) {
            n += d * d;
        }
        n = Math.max(Math.sqrt(n), 1e-8);
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / n;
        }
        return out;
    }

    private double[][] layerNorm(double[][] x, String p) {
        float[] g = clip.require(p + ".weight").floats();
        float[] b = clip.require(p + ".bias").floats();
        double[][] out = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double mean = 0;
            for (double v : x[t]) {
                mean += v;
            }
            mean /= x[t].length;
            double var = 0;
            for (double v : x[t]) {
                var += (v - mean) * (v - mean);
            }
            var /= x[t].length;
            out[t] = new double[x[t].length];
            for (int c = 0; c < x[t].length; c++) {
                out[t][c] = (x[t][c] - mean) / Math.sqrt(var + 1e-5) * g[c] + b[c];
            }
        }
        return out;
    }

    /** x @ W^T + b with W [out, in] (PyTorch's Linear). */
    private static double[][] linear(double[][] x, float[] w, float[] b) {
        int in = x[0].length;
        int out = w.length / in;
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int i = 0; i < in; i++) {
                    s += x[t][i] * w[o * in + i];
                }
                y[t][o] = s;
            }
        }
        return y;
    }

    private static double[][] leaky(double[][] x) {
        for (double[] row : x) {
            for (int i = 0; i < row.length; i++) {
                row[i] = row[i] > 0 ? row[i] : 0.01 * row[i];
            }
        }
        return x;
    }

    private static double[][] add(double[][] a, double[][] b) {
        double[][] out = new double[a.length][a[0].length];
        for (int t = 0; t < a.length; t++) {
            for (int c = 0; c < a[0].length; c++) {
                out[t][c] = a[t][c] + b[t][c];
            }
        }
        return out;
    }

    /** erf to double precision (Abramowitz-Stegun is too coarse for 1e-4 after four layers; use a series). */
    static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 3) {
            // Maclaurin series: erf x = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)).
            double term = ax;
            double sum = ax;
            for (int n = 1; n < 200; n++) {
                term *= -ax * ax / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17) {
                    break;
                }
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            // Continued fraction for erfc, converges fast for x >= 3.
            double f = 0;
            for (int n = 60; n >= 1; n--) {
                f = n / 2.0 / (ax + f);
            }
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
        }
        return x < 0 ? -r : r;
    }

    static float[] toFloats(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    static float[] flatten(double[][] m) {
        float[] out = new float[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < m[0].length; j++) {
                out[i * m[0].length + j] = (float) m[i][j];
            }
        }
        return out;
    }
}
