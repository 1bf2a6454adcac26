package org.mvfaedge.trainer.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The few-shot images of a run: {@code k} normal shots from {@code valid/good} and {@code k}
 * abnormal shots from {@code valid/Ungood}. Either read from the paper's split files
 * ({@code <seedDir>/<Object>/<k>-shot.txt}, lines {@code n-<i>: file ...} and {@code a-<i>: file ...})
 * or drawn at random with a seed when {@code iterate} is negative.
 */
public record FewShotSplit(int shot, int iterate, List<Sample> normal, List<Sample> abnormal) {

    /** Reads split {@code iterate} of the paper's files. */
    public static FewShotSplit fromSeedFile(BmadDataset data, Path seedDir, int shot, int iterate) {
        if (shot <= 0) {
            throw new DatasetException("--shot must be positive, got " + shot);
        }
        Path file = seedDir.resolve(data.object()).resolve(shot + "-shot.txt");
        if (!Files.isRegularFile(file)) {
            throw new DatasetException("few-shot split file not found: " + file
                    + " (pass the folder holding <Object>/<k>-shot.txt with --fewshot-seed-dir, or --iterate -1 for a random draw)");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DatasetException("cannot read " + file + ": " + e.getMessage());
        }
        List<String> normalNames = namesFor(lines, "n-" + iterate + ":", file);
        List<String> abnormalNames = namesFor(lines, "a-" + iterate + ":", file);
        return new FewShotSplit(shot, iterate, pick(data, false, normalNames, shot, file),
                pick(data, true, abnormalNames, shot, file));
    }

    /**
     * The samples that are none of this split's shots. The normal shots are in the memory bank (their
     * few-shot map is near zero) and the abnormal shots were trained on, so a threshold calibrated on
     * them would be fitted to images the model has already seen.
     */
    public List<Sample> without(List<Sample> samples) {
        Set<Path> shots = new HashSet<>();
        for (Sample s : normal) {
            shots.add(s.image().toAbsolutePath().normalize());
        }
        for (Sample s : abnormal) {
            shots.add(s.image().toAbsolutePath().normalize());
        }
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) {
            if (!shots.contains(s.image().toAbsolutePath().normalize())) {
                out.add(s);
            }
        }
        return out;
    }

    /** Draws {@code shot} normal and abnormal images at random (deterministic for a seed). */
    public static FewShotSplit random(BmadDataset data, int shot, long seed) {
        Random rng = new Random(seed);
        return new FewShotSplit(shot, -1, draw(data, false, shot, rng), draw(data, true, shot, rng));
    }

    private static List<Sample> draw(BmadDataset data, boolean anomalous, int shot, Random rng) {
        List<Path> all = new ArrayList<>(BmadDataset.listImages(data.imageDir(BmadDataset.Split.VALID, anomalous)));
        if (all.size() < shot) {
            throw new DatasetException(data.imageDir(BmadDataset.Split.VALID, anomalous) + " has " + all.size()
                    + " images, fewer than --shot " + shot);
        }
        java.util.Collections.shuffle(all, rng);
        List<Sample> out = new ArrayList<>();
        for (Path p : all.subList(0, shot)) {
            out.add(data.sample(BmadDataset.Split.VALID, anomalous, p.getFileName().toString()));
        }
        return out;
    }

    private static List<String> namesFor(List<String> lines, String key, Path file) {
        for (String line : lines) {
            String[] parts = line.strip().split("\\s+");
            if (parts.length > 0 && parts[0].equals(key)) {
                return Arrays.asList(parts).subList(1, parts.length);
            }
        }
        throw new DatasetException(file + " has no line '" + key + " ...' (choose an --iterate the file has)");
    }

    private static List<Sample> pick(BmadDataset data, boolean anomalous, List<String> names, int shot, Path file) {
        List<Sample> out = new ArrayList<>();
        for (String n : names) {
            // The reference keeps only .png and .jpeg names from the split line.
            if (n.endsWith(".png") || n.endsWith(".jpeg")) {
                out.add(data.sample(BmadDataset.Split.VALID, anomalous, n));
            }
        }
        if (out.size() < shot) {
            throw new DatasetException(file + " lists " + out.size() + (anomalous ? " abnormal" : " normal")
                    + " images for this split, fewer than --shot " + shot);
        }
        return out.subList(0, shot);
    }
}
