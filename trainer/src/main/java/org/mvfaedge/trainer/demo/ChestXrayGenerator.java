package org.mvfaedge.trainer.demo;

import java.util.SplittableRandom;

/**
 * Synthetic frontal chest radiographs (dense = bright): soft tissue of the thorax, two dark lung
 * fields with rounded apices and domed diaphragm, the mediastinum and spine, the heart shadow bulging
 * to the patient's left, posterior ribs arching across both lungs, clavicles, vascular lung markings
 * fanning out from the hila, with random body habitus, inspiration depth, exposure, gamma and
 * quantum noise per image. Anomalous images carry opacities: nodules, hazy consolidations, or a
 * pleural effusion blunting a costophrenic angle. Image labels only (no masks), as the Chest objects
 * of BMAD.
 *
 * <p>Pure function of (seed, size, anomalous).
 */
final class ChestXrayGenerator {
    private ChestXrayGenerator() {
    }

    static SyntheticImage radiograph(long seed, int size, boolean anomalous) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = size * size;
        double s = size;
        double mid = s * Noise.uniform(rng, 0.47, 0.53);
        double lungTop = s * Noise.uniform(rng, 0.10, 0.17);
        double diaphragm = s * Noise.uniform(rng, 0.72, 0.84);
        double lungHalf = s * Noise.uniform(rng, 0.33, 0.40);
        double medHalf = s * Noise.uniform(rng, 0.07, 0.10);
        double heartX = mid + s * Noise.uniform(rng, 0.07, 0.12);
        double heartY = diaphragm - s * Noise.uniform(rng, 0.10, 0.15);
        double heartA = s * Noise.uniform(rng, 0.15, 0.20);
        double heartB = s * Noise.uniform(rng, 0.12, 0.16);
        double soft = Noise.uniform(rng, 0.50, 0.62);
        double air = Noise.uniform(rng, 0.12, 0.22);
        double ribPhase = Noise.uniform(rng, 0, 1);
        double ribGap = s * Noise.uniform(rng, 0.065, 0.08);
        float[] markings = Noise.fractal(rng, size, Math.max(8, size / 10), 3);
        float[] texture = Noise.fractal(rng, size, 5, 3);
        float[] exposure = Noise.value(rng, size, 2);

        float[] img = new float[n];
        float[] lungs = new float[n];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int i = y * size + x;
                double dxm = x - mid;
                // Body outline: the thorax narrows towards the neck.
                double bodyHalf = s * (0.42 + 0.06 * Noise.step(0, 0.35 * s, y));
                double body = 1 - Noise.step(bodyHalf - 6, bodyHalf + 6, Math.abs(dxm));
                double val = 0.04 + (soft - 0.04) * body;
                // Lungs: one per side, between the mediastinum and the chest wall, apex rounded, base domed.
                double lung = 0;
                for (int side = -1; side <= 1; side += 2) {
                    double lx = side * dxm;
                    if (lx < medHalf) {
                        continue;
                    }
                    // The lung widens from the apex to the base (the chest wall slopes outwards).
                    double widen = 0.72 + 0.28 * Noise.step(lungTop, diaphragm, y);
                    double t = (lx - medHalf) / (lungHalf * widen - medHalf);
                    if (t > 1.05) {
                        continue;
                    }
                    double dome = diaphragm - s * 0.07 * Math.sin(Math.PI * Math.min(1, t)) + (side > 0 ? s * 0.02 : 0);
                    double apex = lungTop + s * 0.12 * (1 - Math.sin(Math.PI * Math.min(1, t) * 0.9 + 0.15));
                    double inY = Noise.step(apex - 4, apex + 4, y) * (1 - Noise.step(dome - 4, dome + 4, y));
                    double inX = 1 - Noise.step(0.95, 1.05, t);
                    lung = Math.max(lung, inY * inX);
                }
                lungs[i] = (float) lung;
                val = val + (air - val) * lung;
                // Vascular markings: denser near the hila, fading to the periphery.
                double hilum = Math.exp(-Math.pow(Math.abs(dxm) / (0.22 * s), 2) - Math.pow((y - 0.45 * s) / (0.3 * s), 2));
                val += lung * (0.05 + 0.08 * hilum) * Math.max(0, markings[i]);
                // Heart shadow and mediastinum / spine.
                double hx = (x - heartX) / heartA;
                double hy = (y - heartY) / heartB;
                double heart = 1 - Noise.step(0.85, 1.15, Math.sqrt(hx * hx + hy * hy));
                double med = (1 - Noise.step(medHalf - 3, medHalf + 3, Math.abs(dxm))) * Noise.step(lungTop - 10, lungTop, y);
                val = Math.max(val, (soft + 0.08) * Math.max(heart, med));
                double spine = 1 - Noise.step(s * 0.03, s * 0.045, Math.abs(dxm));
                val += 0.04 * spine * (0.7 + 0.3 * Math.abs(Math.sin(y / (0.035 * s))));
                // Posterior ribs: bright arcs, highest at the spine, sloping down laterally.
                double ax = Math.abs(dxm) / (0.4 * s);
                double yr = y - lungTop + s * 0.03 - s * 0.22 * ax * ax - s * 0.06 * ax;
                double phase = yr / ribGap + ribPhase;
                double frac = phase - Math.floor(phase);
                double rib = 1 - Noise.step(0.0, 0.08, Math.abs(frac - 0.5) - 0.12);
                if (phase > 0 && phase < 10 && Math.abs(dxm) > s * 0.04) {
                    val += 0.09 * rib * body * (0.4 + 0.6 * lung);
                }
                // Clavicles: slanted bands at the top.
                double clav = Math.abs(y - (lungTop + s * 0.02 + 0.18 * Math.abs(dxm)));
                if (Math.abs(dxm) > medHalf && Math.abs(dxm) < 0.32 * s) {
                    val += 0.10 * (1 - Noise.step(s * 0.008, s * 0.018, clav));
                }
                val += 0.025 * texture[i];
                img[i] = (float) val;
            }
        }
        if (anomalous) {
            int count = 1 + (rng.nextDouble() < 0.4 ? 1 : 0);
            for (int k = 0; k < count; k++) {
                addOpacity(rng, img, lungs, size, mid, diaphragm, lungHalf);
            }
        }
        // Exposure falls off across the detector; radiographs are gamma-encoded.
        double gain = Noise.uniform(rng, 0.85, 1.15);
        double gamma = Noise.uniform(rng, 0.8, 1.2);
        double sigma = Noise.uniform(rng, 0.01, 0.03);
        float[] out = Noise.blur(img, size, 1);
        for (int i = 0; i < n; i++) {
            double v = Math.max(0, out[i]) * (1 + 0.08 * exposure[i]);
            out[i] = (float) (gain * Math.pow(v, gamma) + sigma * Noise.gaussian(rng));
        }
        return new SyntheticImage(size, out, null);
    }

    private static void addOpacity(SplittableRandom rng, float[] img, float[] lungs, int size, double mid,
            double diaphragm, double lungHalf) {
        int kind = rng.nextInt(3); // 0 nodule, 1 consolidation, 2 effusion
        int side = rng.nextBoolean() ? 1 : -1;
        if (kind == 2) {
            // Effusion: fluid fills the lung base with a meniscus rising towards the chest wall.
            double level = diaphragm - size * Noise.uniform(rng, 0.08, 0.18);
            double strength = Noise.uniform(rng, 0.25, 0.4);
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int i = y * size + x;
                    double lx = side * (x - mid);
                    if (lx <= 0 || lungs[i] == 0) {
                        continue;
                    }
                    double meniscus = level - size * 0.06 * (lx / lungHalf) * (lx / lungHalf);
                    double w = Noise.step(meniscus - 6, meniscus + 6, y);
                    img[i] += (float) (strength * w * lungs[i]);
                }
            }
            return;
        }
        double radius = size * (kind == 0 ? Noise.uniform(rng, 0.035, 0.06) : Noise.uniform(rng, 0.08, 0.15));
        double strength = kind == 0 ? Noise.uniform(rng, 0.25, 0.4) : Noise.uniform(rng, 0.2, 0.35);
        double ox = mid + side * lungHalf * Noise.uniform(rng, 0.4, 0.8);
        double oy = size * Noise.uniform(rng, 0.3, 0.65);
        float[] patchy = Noise.fractal(rng, size, Math.max(6, size / 12), 2);
        double edge = kind == 0 ? 0.15 : 0.6;
        int r0 = (int) Math.ceil(radius * 2);
        for (int y = Math.max(0, (int) oy - r0); y < Math.min(size, (int) oy + r0); y++) {
            for (int x = Math.max(0, (int) ox - r0); x < Math.min(size, (int) ox + r0); x++) {
                int i = y * size + x;
                double d = Math.hypot(x - ox, y - oy) / radius;
                double w = 1 - Noise.step(1 - edge / 2, 1 + edge / 2, d + (kind == 1 ? 0.3 * patchy[i] : 0));
                double texture = kind == 1 ? 0.75 + 0.5 * patchy[i] : 1;
                img[i] += (float) (strength * w * texture * Math.max(0.4, lungs[i]));
            }
        }
    }
}
