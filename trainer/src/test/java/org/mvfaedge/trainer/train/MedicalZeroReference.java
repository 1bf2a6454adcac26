package org.mvfaedge.trainer.train;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An independent transcription, for tests, of the list MVFA's {@code dataset/medical_zero.py}
 * builds in {@code MedTrainDataset.load_dataset_folder} (what {@code train_zero.py} trains on),
 * written from the Python source without using the production code:
 *
 * <pre>
 * CLASS_NAMES = ['Brain', 'Liver', 'Retina_RESC', 'Retina_OCT2017', 'Chest', 'Histopathology']
 * CLASS_INDEX = {'Brain':3, 'Liver':2, 'Retina_RESC':1, 'Retina_OCT2017':-1, 'Chest':-2, 'Histopathology':-3}
 * for class_name_one in CLASS_NAMES:
 *     if class_name_one != self.class_name:
 *         img_dir = os.path.join(self.dataset_path, f'{class_name_one}_AD/test/good/img')
 *         for f in os.listdir(img_dir): data_img[...].append((os.path.join(img_dir, f), 0))
 *         img_dir = os.path.join(self.dataset_path, f'{class_name_one}_AD/test/Ungood/img')
 *         for f in os.listdir(img_dir): data_img[...].append((os.path.join(img_dir, f), 1))
 *         random.shuffle(data_img[class_name_one])
 * ... per object in that order, batch_size 1: [file], [label], mask = None for CLASS_INDEX < 0, else
 *     None for label 0 and file.replace('img', 'anomaly_mask') for label 1; then random.shuffle(data)
 * </pre>
 *
 * The list is taken before the shuffles (which draw from Python's and PyTorch's generators and are
 * not reproducible here), and {@code os.listdir}'s order, the directory's own (a hash order on ext4),
 * is made canonical by sorting the names as Python's {@code sorted} does (by code point).
 */
public final class MedicalZeroReference {
    static final List<String> CLASS_NAMES = List.of("Brain", "Liver", "Retina_RESC", "Retina_OCT2017", "Chest",
            "Histopathology");
    static final Map<String, Integer> CLASS_INDEX = Map.of("Brain", 3, "Liver", 2, "Retina_RESC", 1,
            "Retina_OCT2017", -1, "Chest", -2, "Histopathology", -3);

    /** One entry of the reference's list: the object, the image file, the label, the mask file or null. */
    public record Entry(String object, Path image, int label, Path mask) {
    }

    private MedicalZeroReference() {
    }

    /**
     * The reference's list for {@code className} held out.
     *
     * @param splits the splits read per object ({@code ["test"]} is the reference's; {@code valid}
     *        for the project's opt-in departure)
     * @param skipMissing leave out objects without an {@code <Object>_AD} folder, as this project does
     *        (the reference's os.listdir raises FileNotFoundError there); false: throw as the reference
     */
    public static List<Entry> trainList(Path datasetPath, String className, List<String> splits, boolean skipMissing)
            throws IOException {
        List<Entry> out = new ArrayList<>();
        for (String c : CLASS_NAMES) {
            if (c.equals(className)) {
                continue;
            }
            if (skipMissing && !new File(datasetPath.toFile(), c + "_AD").isDirectory()) {
                continue;
            }
            for (String split : splits) {
                for (String[] folder : new String[][] {{"good", "0"}, {"Ungood", "1"}}) {
                    String imgDir = datasetPath + "/" + c + "_AD/" + split + "/" + folder[0] + "/img";
                    int label = Integer.parseInt(folder[1]);
                    for (String f : listdirSorted(imgDir)) {
                        String file = imgDir + "/" + f;
                        Path mask = null;
                        if (CLASS_INDEX.get(c) > 0 && label == 1) {
                            // The reference replaces every 'img' in the whole path; applied to the part
                            // below the data folder, so that a temp folder's name cannot interfere.
                            String rel = file.substring(datasetPath.toString().length());
                            mask = Path.of(datasetPath + rel.replace("img", "anomaly_mask"));
                        }
                        out.add(new Entry(c, Path.of(file), label, mask));
                    }
                }
            }
        }
        return out;
    }

    /** os.listdir (every entry, no filtering), sorted by code point as Python's sorted(). */
    static List<String> listdirSorted(String dir) throws IOException {
        String[] names = new File(dir).list();
        if (names == null) {
            throw new NoSuchFileException(dir, null, "No such file or directory (the reference's os.listdir fails here)");
        }
        List<String> list = new ArrayList<>(Arrays.asList(names));
        list.sort((a, b) -> Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray()));
        return list;
    }

    /** Copies a folder tree (the fixture's data sets under other objects' names). */
    public static void copyTree(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
