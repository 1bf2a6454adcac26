package org.mvfaedge.trainer.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A data set in the BMAD layout the paper uses:
 * {@code <data>/<Object>_AD/{valid,test}/{good,Ungood}/img/<file>}, with
 * {@code Ungood/anomaly_mask/<file>} beside {@code img/} for objects that have pixel masks.
 *
 * <p>Mask paths are derived from the folder layout (the sibling {@code anomaly_mask} folder, same
 * file name), not by replacing "img" in the path string as the reference does, which breaks on a
 * path that contains "img" elsewhere. Images are listed in the reference's order: good sorted, then
 * Ungood sorted.
 */
public final class BmadDataset {
    /** The two splits of the layout: valid holds the few-shot pool, test the evaluation set. */
    public enum Split {
        VALID("valid"), TEST("test");

        final String folder;

        Split(String folder) {
            this.folder = folder;
        }
    }

    static final String GOOD = "good";
    static final String UNGOOD = "Ungood";
    static final String IMG = "img";
    static final String MASKS = "anomaly_mask";

    private final Path root;
    private final String object;
    private final boolean hasMasks;

    private BmadDataset(Path root, String object, boolean hasMasks) {
        this.root = root;
        this.object = object;
        this.hasMasks = hasMasks;
    }

    /**
     * Opens {@code <dataPath>/<object>_AD}.
     *
     * @param hasMasks whether the object has pixel masks (positive class index in prompts.json)
     */
    public static BmadDataset open(Path dataPath, String object, boolean hasMasks) {
        Path root = dataPath.resolve(object + "_AD");
        if (!Files.isDirectory(root)) {
            throw new DatasetException("data set folder not found: " + root + " (expected the BMAD layout "
                    + "<data>/" + object + "_AD/{valid,test}/{good,Ungood}/img; check --data-path)");
        }
        return new BmadDataset(root, object, hasMasks);
    }

    public Path root() {
        return root;
    }

    public String object() {
        return object;
    }

    public boolean hasMasks() {
        return hasMasks;
    }

    /** The image folder of a split and class, checked to exist. */
    public Path imageDir(Split split, boolean anomalous) {
        Path dir = root.resolve(split.folder).resolve(anomalous ? UNGOOD : GOOD).resolve(IMG);
        if (!Files.isDirectory(dir)) {
            throw new DatasetException("missing folder " + dir + " (the BMAD layout needs "
                    + split.folder + "/" + (anomalous ? UNGOOD : GOOD) + "/img)");
        }
        return dir;
    }

    /** The mask of an anomalous image, from the layout: {@code ../anomaly_mask/<same name>}. */
    public Path maskFor(Path image) {
        Path mask = image.getParent().resolveSibling(MASKS).resolve(image.getFileName());
        if (!Files.isRegularFile(mask)) {
            throw new DatasetException("image " + image + " has no mask: expected " + mask
                    + " (objects with pixel masks need one per anomalous image)");
        }
        return mask;
    }

    /** Every image of a split: good sorted, then Ungood sorted (the reference's evaluation order). */
    public List<Sample> samples(Split split) {
        List<Sample> out = new ArrayList<>();
        for (Path p : listImages(imageDir(split, false))) {
            out.add(new Sample(p, 0, null));
        }
        for (Path p : listImages(imageDir(split, true))) {
            out.add(new Sample(p, 1, hasMasks ? maskFor(p) : null));
        }
        if (out.isEmpty()) {
            throw new DatasetException("no images in " + root.resolve(split.folder));
        }
        return out;
    }

    /** An image of the split by file name, with a clear error when it is not there. */
    public Sample sample(Split split, boolean anomalous, String fileName) {
        Path p = imageDir(split, anomalous).resolve(fileName);
        if (!Files.isRegularFile(p)) {
            throw new DatasetException("image listed in the few-shot split not found: " + p);
        }
        return new Sample(p, anomalous ? 1 : 0, anomalous && hasMasks ? maskFor(p) : null);
    }

    /** Image files in a folder, sorted by name as Python's sorted(os.listdir()) does. */
    static List<Path> listImages(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> isImageName(p.getFileName().toString()))
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new DatasetException("cannot list " + dir + ": " + e.getMessage());
        }
    }

    static boolean isImageName(String name) {
        if (name.startsWith(".")) {
            return false;
        }
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".bmp")
                || n.endsWith(".tif") || n.endsWith(".tiff");
    }
}
