package org.mvfaedge.trainer.train;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.mvfaedge.trainer.weights.ClipConfig;
import org.mvfaedge.trainer.weights.RandomClip;
import org.mvfaedge.trainer.weights.Safetensors;

/**
 * A small generated data set in the BMAD layout: textured grey "scans", the anomalous ones with a
 * bright or dark blob lesion and its mask; plus a few-shot split file and a small random CLIP.
 */
public final class SyntheticData {
    public static final int SIZE = 48;

    private SyntheticData() {
    }

    /**
     * Writes {@code <root>/<object>_AD/{valid,test}/{good,Ungood}/img} (+ {@code anomaly_mask}) and
     * {@code <root>/fewshot_seed/<object>/<shot>-shot.txt} naming the first valid images.
     */
    public static void write(Path root, String object, int validPerClass, int testPerClass, int shot, long seed)
            throws IOException {
        Random rng = new Random(seed);
        Path base = root.resolve(object + "_AD");
        for (String split : List.of("valid", "test")) {
            int n = split.equals("valid") ? validPerClass : testPerClass;
            for (int i = 0; i < n; i++) {
                writeImage(base.resolve(split + "/good/img"), null, String.format("%s_good_%03d.png", split, i), rng);
                writeImage(base.resolve(split + "/Ungood/img"), base.resolve(split + "/Ungood/anomaly_mask"),
                        String.format("%s_bad_%03d.png", split, i), rng);
            }
        }
        List<String> normal = new ArrayList<>();
        List<String> abnormal = new ArrayList<>();
        for (int i = 0; i < shot; i++) {
            normal.add(String.format("valid_good_%03d.png", i));
            abnormal.add(String.format("valid_bad_%03d.png", i));
        }
        Path seedFile = root.resolve("fewshot_seed/" + object + "/" + shot + "-shot.txt");
        Files.createDirectories(seedFile.getParent());
        Files.writeString(seedFile, "n-0: " + String.join(" ", normal) + "\na-0: " + String.join(" ", abnormal) + "\n");
    }

    private static void writeImage(Path imgDir, Path maskDir, String name, Random rng) throws IOException {
        Files.createDirectories(imgDir);
        double[] v = new double[SIZE * SIZE];
        // Smooth background: a few random low-frequency waves around mid grey, plus fine noise.
        double fx = 1 + rng.nextDouble() * 2;
        double fy = 1 + rng.nextDouble() * 2;
        double ph = rng.nextDouble() * 6.28;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                v[y * SIZE + x] = 0.45 + 0.12 * Math.sin(fx * x / SIZE * 6.28 + ph) * Math.cos(fy * y / SIZE * 6.28)
                        + 0.04 * rng.nextGaussian();
            }
        }
        BufferedImage mask = null;
        if (maskDir != null) {
            Files.createDirectories(maskDir);
            mask = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_GRAY);
            double cx = 10 + rng.nextDouble() * (SIZE - 20);
            double cy = 10 + rng.nextDouble() * (SIZE - 20);
            double r = 5 + rng.nextDouble() * 4;
            double delta = rng.nextBoolean() ? 0.45 : -0.35;
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    double d = Math.hypot(x - cx, y - cy);
                    if (d <= r) {
                        v[y * SIZE + x] += delta;
                        mask.getRaster().setSample(x, y, 0, 255);
                    }
                }
            }
            ImageIO.write(mask, "png", maskDir.resolve(name).toFile());
        }
        BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int g = (int) Math.round(Math.max(0, Math.min(1, v[y * SIZE + x])) * 255);
                img.setRGB(x, y, (g << 16) | (g << 8) | g);
            }
        }
        ImageIO.write(img, "png", imgDir.resolve(name).toFile());
    }

    /** A small random CLIP (vision 48 px, patch 8, 3 layers of width 64; text 1 layer of 64) as safetensors. */
    public static Path clip(Path dir, long seed) throws IOException {
        ClipConfig c = ClipConfig.of(32, SIZE, 3, 64, 8, 77, 49408, 64, 1);
        Path file = dir.resolve("tiny-clip.safetensors");
        Safetensors.write(file, RandomClip.create(c, seed), null, Safetensors.FloatFormat.F32);
        return file;
    }
}
