package org.mvfaedge.trainer.demo;

import org.mvfaedge.sdk.util.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.mvfaedge.trainer.text.PromptConfig;

/**
 * Writes the demo's data sets in the BMAD layout the paper uses, from nothing but a seed:
 * <ul>
 *   <li>{@code <data>/DemoBrain_AD/{valid,test}/{good,Ungood}/img/NNNNN.png} (brain-MRI-like slices)
 *       with {@code Ungood/anomaly_mask/NNNNN.png} (lesion masks, 0/255);</li>
 *   <li>{@code <data>/DemoChest_AD/...} (chest-X-ray-like radiographs with opacities, image labels
 *       only);</li>
 *   <li>{@code <seeds>/<Object>/<k>-shot.txt}: few-shot splits in the paper's format (lines
 *       {@code n-<i>: files} and {@code a-<i>: files}, drawn from the valid split);</li>
 *   <li>{@code objects.json}: the two objects for {@code --objects}, so the printed follow-up commands
 *       ({@code test-few}, {@code export}, ...) work on these data too.</li>
 * </ul>
 * The objects get names of their own ({@link #BRAIN}, {@link #CHEST}) rather than the built-in
 * {@code Brain} and {@code Chest}, so demo data are never mistaken for BMAD's real data (a data folder
 * may hold both), and packages made from them say so in their manifest. Their real names ("brain MRI",
 * "chest X-ray") are the ones the text prompts use.
 *
 * <p>Every file is written to a temporary folder first and the finished tree is moved into place, so
 * an interrupted run never leaves a partial data set behind.
 */
public final class DemoData {
    /** The brain-MRI-like object (pixel masks). */
    public static final String BRAIN = "DemoBrain";
    /** The chest-X-ray-like object (image labels only). */
    public static final String CHEST = "DemoChest";
    /** Real names for the text prompts. */
    public static final String BRAIN_REAL_NAME = "brain MRI";
    public static final String CHEST_REAL_NAME = "chest X-ray";
    /** How many seeded splits each few-shot file holds ({@code --iterate 0..2}). */
    public static final int SPLITS = 3;

    /**
     * How many images to make per object.
     *
     * @param imageSize side of the written images in pixels
     * @param validGood normal images of the valid split (the few-shot pool)
     * @param validBad anomalous images of the valid split
     * @param testGood normal images of the test split
     * @param testBad anomalous images of the test split
     */
    public record Counts(int imageSize, int validGood, int validBad, int testGood, int testBad) {
        public Counts {
            if (imageSize < 32 || validGood < 1 || validBad < 1 || testGood < 1 || testBad < 1) {
                throw new IllegalArgumentException("demo data need images of at least 32 px and at least one image "
                        + "per split and class: " + imageSize + " px, valid " + validGood + "/" + validBad + ", test "
                        + testGood + "/" + testBad);
            }
        }
    }

    /** Where the generated files are. */
    public record Written(Path data, Path fewshotSeeds, Path objectsJson, int images) {
    }

    private DemoData() {
    }

    /** The built-in prompt configuration with the two demo objects added. */
    public static PromptConfig promptConfig() {
        return PromptConfig.builtIn().withObject(BRAIN, BRAIN_REAL_NAME, true).withObject(CHEST, CHEST_REAL_NAME, false);
    }

    /**
     * Generates both objects under {@code out} ({@code out/data}, {@code out/fewshot_seed},
     * {@code out/objects.json}), replacing earlier demo data there.
     *
     * @param shot the k of the split files
     * @param progress called with (done, total) after each image
     */
    public static Written generate(Path out, Counts brain, Counts chest, int shot, long seed,
            java.util.function.BiConsumer<Integer, Integer> progress) {
        if (shot > Math.min(Math.min(brain.validGood(), brain.validBad()), Math.min(chest.validGood(), chest.validBad()))) {
            throw new IllegalArgumentException("--shot " + shot + " needs at least that many valid images per class");
        }
        try {
            Files.createDirectories(out);
            Path work = Files.createTempDirectory(out, ".demo-data-");
            try {
                int total = total(brain) + total(chest);
                int[] done = {0};
                Runnable tick = () -> {
                    done[0]++;
                    if (progress != null) {
                        progress.accept(done[0], total);
                    }
                };
                writeObject(work.resolve("data"), work.resolve("fewshot_seed"), BRAIN, brain, shot, seed, true, tick);
                writeObject(work.resolve("data"), work.resolve("fewshot_seed"), CHEST, chest, shot, seed + 7919, false,
                        tick);
                Files.writeString(work.resolve("objects.json"), "{\"objects\": [\n"
                        + "  {\"name\": \"" + BRAIN + "\", \"real_name\": \"" + BRAIN_REAL_NAME + "\", \"has_masks\": true},\n"
                        + "  {\"name\": \"" + CHEST + "\", \"real_name\": \"" + CHEST_REAL_NAME + "\", \"has_masks\": false}\n"
                        + "]}\n", StandardCharsets.UTF_8);
                for (String name : List.of("data", "fewshot_seed", "objects.json")) {
                    AtomicFiles.deleteTree(out.resolve(name));
                    Files.move(work.resolve(name), out.resolve(name), StandardCopyOption.ATOMIC_MOVE);
                }
                return new Written(out.resolve("data"), out.resolve("fewshot_seed"), out.resolve("objects.json"), total);
            } finally {
                AtomicFiles.deleteTree(work);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo data under " + out + ": " + e.getMessage(), e);
        }
    }

    private static int total(Counts c) {
        return c.validGood() + c.validBad() + c.testGood() + c.testBad();
    }

    private static void writeObject(Path data, Path seeds, String object, Counts c, int shot, long seed, boolean brain,
            Runnable tick) throws IOException {
        Path root = data.resolve(object + "_AD");
        int number = 0;
        List<String> validGood = new ArrayList<>();
        List<String> validBad = new ArrayList<>();
        int[][] plan = {{0, c.validGood()}, {1, c.validBad()}, {2, c.testGood()}, {3, c.testBad()}};
        for (int[] p : plan) {
            String split = p[0] < 2 ? "valid" : "test";
            boolean bad = p[0] % 2 == 1;
            Path dir = root.resolve(split).resolve(bad ? "Ungood" : "good");
            Files.createDirectories(dir.resolve("img"));
            if (bad && brain) {
                Files.createDirectories(dir.resolve("anomaly_mask"));
            }
            for (int k = 0; k < p[1]; k++) {
                number++;
                String file = String.format("%05d.png", number);
                // Each image has its own seed, so changing one count does not change the other images.
                long imageSeed = seed * 0x9E3779B97F4A7C15L + number * 0xD1B54A32D192ED03L + (brain ? 1 : 2);
                SyntheticImage img = brain ? BrainSliceGenerator.slice(imageSeed, c.imageSize(), bad)
                        : ChestXrayGenerator.radiograph(imageSeed, c.imageSize(), bad);
                ImageIO.write(img.toGrey(), "png", dir.resolve("img").resolve(file).toFile());
                if (bad && brain) {
                    ImageIO.write(img.maskToGrey(), "png", dir.resolve("anomaly_mask").resolve(file).toFile());
                }
                if (split.equals("valid")) {
                    (bad ? validBad : validGood).add(file);
                }
                tick.run();
            }
        }
        Path seedFile = seeds.resolve(object).resolve(shot + "-shot.txt");
        Files.createDirectories(seedFile.getParent());
        StringBuilder sb = new StringBuilder();
        Random rng = new Random(seed);
        for (int i = 0; i < SPLITS; i++) {
            sb.append("n-").append(i).append(": ").append(String.join(" ", draw(validGood, shot, rng))).append('\n');
            sb.append("a-").append(i).append(": ").append(String.join(" ", draw(validBad, shot, rng))).append('\n');
        }
        Files.writeString(seedFile, sb.toString(), StandardCharsets.UTF_8);
    }

    private static List<String> draw(List<String> pool, int k, Random rng) {
        List<String> copy = new ArrayList<>(pool);
        Collections.shuffle(copy, rng);
        List<String> pick = new ArrayList<>(copy.subList(0, k));
        Collections.sort(pick);
        return pick;
    }

}
