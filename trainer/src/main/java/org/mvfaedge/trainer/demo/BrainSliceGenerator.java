package org.mvfaedge.trainer.demo;

import java.util.SplittableRandom;

/**
 * Synthetic axial brain-MRI-like slices (T1-like contrast): a CSF rim, folded grey matter over brighter
 * white matter, sulci, the interhemispheric fissure and the dark lateral ventricles, with a smooth bias
 * field, tissue texture, Rician-like noise and a random head shape, pose, contrast and gamma per image.
 * Anomalous slices carry one to three lesions of varied size, irregular outline and appearance, as
 * lesions look on T1: mostly darker than the tissue around them (homogeneous, mottled, or a necrotic
 * mass with a dark core), some a bright haemorrhage inside a dark rim; sometimes with a faint oedema
 * halo that is not part of the mask, as in real annotations.
 *
 * <p>Why T1, where lesions are mostly dark, matters for the demo: on a random ViT a patch's token is,
 * after LayerNorm, mostly its brightness against its position embedding, so a patch much darker than
 * the tissue normally at that place is unlike every normal patch in the memory bank, while a bright
 * homogeneous region looks like any bright normal patch (measured with the untrained bank on this
 * generator: dark lesions pixel AUC 0.98, bright homogeneous ones 0.30).
 *
 * <p>Pure function of (seed, size, anomalous): the demo data are reproducible bit for bit.
 */
final class BrainSliceGenerator {
    /**
     * Skull-stripped slices, as BMAD's BraTS-derived BrainMRI set is. The bright scalp ring of an
     * unstripped slice also dominates every map's maximum on a random backbone.
     */
    static final boolean SKULL_STRIPPED = true;

    private BrainSliceGenerator() {
    }

    /**
     * One slice.
     *
     * @param size image side in pixels
     * @param anomalous whether to add lesions (the mask is all false otherwise)
     */
    static SyntheticImage slice(long seed, int size, boolean anomalous) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = size * size;
        double cx = size * Noise.uniform(rng, 0.46, 0.54);
        double cy = size * Noise.uniform(rng, 0.47, 0.53);
        double a = size * Noise.uniform(rng, 0.33, 0.40);
        double b = size * Noise.uniform(rng, 0.41, 0.46);
        double rot = Noise.uniform(rng, -0.12, 0.12);
        double cos = Math.cos(rot);
        double sin = Math.sin(rot);
        double p1 = rng.nextDouble() * 6.28;
        double p2 = rng.nextDouble() * 6.28;
        double p3 = rng.nextDouble() * 6.28;
        double gyri = Math.floor(Noise.uniform(rng, 9, 14));
        double grey = Noise.uniform(rng, 0.40, 0.50);
        double white = grey + Noise.uniform(rng, 0.14, 0.24);
        double csf = Noise.uniform(rng, 0.08, 0.16);
        double scalp = Noise.uniform(rng, 0.55, 0.80);
        double ventScale = Noise.uniform(rng, 0.7, 1.35);
        double ventShift = Noise.uniform(rng, -0.06, 0.06);
        float[] texture = Noise.fractal(rng, size, 6, 4);
        float[] fold = Noise.fractal(rng, size, 4, 3);
        float[] bias = Noise.value(rng, size, 2);

        float[] img = new float[n];
        float[] brainMask = new float[n];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int i = y * size + x;
                double dx = x - cx;
                double dy = y - cy;
                double u = (cos * dx + sin * dy) / a;
                double v = (-sin * dx + cos * dy) / b;
                double theta = Math.atan2(v, u);
                // A head is not an ellipse: low harmonics deform the outline.
                double outline = 1 + 0.035 * Math.sin(2 * theta + p1) + 0.02 * Math.sin(3 * theta + p2);
                double rho = Math.sqrt(u * u + v * v) / outline;
                double val;
                if (rho > 0.955 && SKULL_STRIPPED) {
                    // BMAD's BrainMRI slices (from BraTS) are skull-stripped: no scalp, no bone.
                    val = 0.01;
                } else if (rho > 1.12) {
                    val = 0.01;
                } else if (rho > 1.0) {
                    val = scalp * (1 - 0.5 * Noise.step(1.06, 1.12, rho)) * (0.9 + 0.1 * texture[i]);
                } else if (rho > 0.955) {
                    val = 0.06; // cortical bone gives almost no MR signal
                } else if (rho > 0.925) {
                    val = csf;
                } else {
                    brainMask[i] = 1;
                    double wmEdge = 0.74 + 0.05 * Math.sin(gyri * theta + p3) + 0.06 * fold[i];
                    double wm = 1 - Noise.step(wmEdge - 0.03, wmEdge + 0.03, rho);
                    val = grey + (white - grey) * wm;
                    // Sulci: CSF-filled clefts running from the surface into the cortex.
                    double sulcus = Math.abs(Math.sin(gyri * 1.7 * theta + 3 * fold[i] + p2));
                    if (rho > wmEdge && sulcus < 0.10) {
                        val = csf + (val - csf) * sulcus / 0.10;
                    }
                    // Interhemispheric fissure along the midline, front and back.
                    if (Math.abs(u) < 0.018 && Math.abs(v) > 0.30) {
                        val = csf + 0.1;
                    }
                    double vent = ventricles(u, v, ventScale, ventShift);
                    val = val + (csf - val) * vent;
                    val += 0.035 * texture[i];
                }
                img[i] = (float) val;
            }
        }
        boolean[] mask = new boolean[n];
        if (anomalous) {
            int lesions = 1 + (rng.nextDouble() < 0.35 ? 1 : 0) + (rng.nextDouble() < 0.15 ? 1 : 0);
            for (int k = 0; k < lesions; k++) {
                addLesion(rng, img, mask, brainMask, size, cx, cy, a, b, grey, white);
            }
        }
        return finish(rng, img, bias, size).withMask(anomalous ? mask : null);
    }

    /** Two lateral ventricles (butterfly shape) as a soft 0..1 membership. */
    private static double ventricles(double u, double v, double scale, double shift) {
        double best = 0;
        for (int side = -1; side <= 1; side += 2) {
            double ox = u - side * 0.11 * scale;
            double oy = v - shift;
            double t = side * 0.35;
            double ru = (Math.cos(t) * ox + Math.sin(t) * oy) / (0.06 * scale);
            double rv = (-Math.sin(t) * ox + Math.cos(t) * oy) / (0.26 * scale);
            double d = Math.sqrt(ru * ru + rv * rv);
            best = Math.max(best, 1 - Noise.step(0.85, 1.1, d));
        }
        return best;
    }

    private static void addLesion(SplittableRandom rng, float[] img, boolean[] mask, float[] brain, int size,
            double cx, double cy, double a, double b, double grey, double white) {
        // Whole-tumour masks, as BMAD's (BraTS) are: from a small focus to a large mass.
        double radius = size * Noise.uniform(rng, 0.07, 0.16);
        // Centre inside the brain, away from its border.
        double lx;
        double ly;
        int tries = 0;
        do {
            double ang = rng.nextDouble() * 2 * Math.PI;
            double r = Math.sqrt(rng.nextDouble()) * 0.62;
            lx = cx + a * r * Math.cos(ang);
            ly = cy + b * r * Math.sin(ang);
            tries++;
        } while (tries < 20 && brain[(int) ly * size + (int) lx] == 0);
        double[] amp = new double[5];
        double[] ph = new double[5];
        for (int h = 2; h < 5; h++) {
            amp[h] = Noise.uniform(rng, 0.0, 0.22);
            ph[h] = rng.nextDouble() * 6.28;
        }
        double elong = Noise.uniform(rng, 0.7, 1.3);
        double orient = rng.nextDouble() * Math.PI;
        // On T1 most lesions (tumour, oedema, infarct, demyelination) are darker than the tissue
        // around them; a necrotic mass has a dark core inside a rim of near-normal signal; a few
        // (a subacute haemorrhage) are brighter, inside a dark rim of haemosiderin.
        double pick = rng.nextDouble();
        int kind = pick < 0.45 ? 1 : pick < 0.70 ? 2 : pick < 0.90 ? 3 : 0; // 0 haemorrhage, 1 hypo, 2 necrotic, 3 mottled
        double tissue = (grey + white) / 2;
        double contrast = Noise.uniform(rng, 0.20, 0.40);
        boolean oedema = rng.nextDouble() < 0.35;
        float[] mottle = Noise.fractal(rng, size, Math.max(4, size / 16), 2);
        int r0 = (int) Math.ceil(radius * 2.2);
        for (int y = Math.max(0, (int) ly - r0); y < Math.min(size, (int) ly + r0); y++) {
            for (int x = Math.max(0, (int) lx - r0); x < Math.min(size, (int) lx + r0); x++) {
                int i = y * size + x;
                if (brain[i] == 0) {
                    continue;
                }
                double dx = x - lx;
                double dy = y - ly;
                double u = (Math.cos(orient) * dx + Math.sin(orient) * dy) * elong;
                double v = (-Math.sin(orient) * dx + Math.cos(orient) * dy) / elong;
                double th = Math.atan2(v, u);
                double outline = 1;
                for (int h = 2; h < 5; h++) {
                    outline += amp[h] * Math.sin(h * th + ph[h]);
                }
                double d = Math.sqrt(u * u + v * v) / (radius * outline);
                if (oedema && d < 1.6) {
                    // Oedema: a faint dark halo (on T1) around the lesion, outside the annotated mask.
                    img[i] -= (float) (0.05 * (1 - Noise.step(1.0, 1.6, d)));
                }
                double w = 1 - Noise.step(0.85, 1.1, d);
                if (w <= 0) {
                    continue;
                }
                double target = switch (kind) {
                    case 0 -> d > 0.75 ? tissue - 1.2 * contrast : tissue + contrast;
                    case 1 -> tissue - contrast;
                    case 2 -> d > 0.65 ? tissue - 0.25 * contrast : tissue - 1.2 * contrast;
                    default -> tissue - contrast * (0.4 + 1.2 * mottle[i]);
                };
                img[i] = (float) (img[i] + (target - img[i]) * w);
                if (d < 1.0) {
                    mask[i] = true;
                }
            }
        }
    }

    /** Bias field, contrast and gamma of this acquisition, Rician-like noise, a slight blur. */
    static SyntheticImage finish(SplittableRandom rng, float[] img, float[] bias, int size) {
        double gain = Noise.uniform(rng, 0.85, 1.15);
        double gamma = Noise.uniform(rng, 0.8, 1.25);
        double sigma = Noise.uniform(rng, 0.012, 0.035);
        double biasAmp = Noise.uniform(rng, 0.05, 0.18);
        float[] out = Noise.blur(img, size, 1);
        for (int i = 0; i < out.length; i++) {
            double s = Math.max(0, out[i]) * (1 + biasAmp * bias[i]);
            s = gain * Math.pow(s, gamma);
            // Magnitude images: the modulus of a complex signal with Gaussian noise in both channels.
            double re = s + sigma * Noise.gaussian(rng);
            double im = sigma * Noise.gaussian(rng);
            out[i] = (float) Math.sqrt(re * re + im * im);
        }
        // Per-slice intensity normalisation, as BMAD's PNGs are scaled slice by slice: the brightest
        // tissue (99th percentile of the slice) lands at the same grey level in every image, so the
        // gain of an acquisition does not survive into the data, only its contrast (gamma) does.
        float[] sorted = out.clone();
        java.util.Arrays.sort(sorted);
        float p99 = sorted[(int) (0.99 * (sorted.length - 1))];
        if (p99 > 0) {
            float k = (float) (0.85 / p99);
            for (int i = 0; i < out.length; i++) {
                out[i] *= k;
            }
        }
        return new SyntheticImage(size, out, null);
    }
}
