package org.mvfaedge.trainer.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.mvfaedge.trainer.data.BmadDataset;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.text.ObjectInfo;

/**
 * The training images of zero-shot (leave-one-object-out) training, listed as MVFA's
 * {@code dataset/medical_zero.py} ({@code MedTrainDataset.load_dataset_folder}, used by
 * {@code train_zero.py}) lists them: for every object of its {@code CLASS_NAMES} but the held-out
 * one, in that order, the files of {@code <Object>_AD/test/good/img} (label 0), then those of
 * {@code <Object>_AD/test/Ungood/img} (label 1, with the mask beside {@code img/} for objects with
 * pixel masks). The reference reads the {@code test} split only; {@code valid} is an opt-in
 * departure ({@link #REFERENCE_SPLITS}).
 *
 * <p>Order within a folder: the reference lists with {@code os.listdir}, the directory's own order
 * (a hash order on ext4, different on every copy of the data), and at once shuffles each object's
 * list, then the list of batches, then the DataLoader shuffles again. That listing order therefore
 * only decides which permutation the shuffles draw; it cannot be reproduced across machines, and
 * neither can PyTorch's shuffles. Files are sorted by name here instead (as the reference's own
 * {@code MedTestDataset} and {@code medical_few.py} do with {@code sorted(os.listdir(...))}), so
 * the same data and seed give the same run on every machine; {@link ZeroShotTrainer} shuffles the
 * list every epoch, as the reference does.
 *
 * <p>Two leniencies where the reference stops with an error: an object whose {@code <Object>_AD}
 * folder is absent is left out and named in {@link #missing()} (the reference raises
 * {@code FileNotFoundError}); and only image files are listed (the reference passes every entry to
 * PIL, which fails on anything else).
 */
public final class ZeroShotTrainingSet {
    /** medical_zero.py's {@code CLASS_NAMES}: the order in which the reference walks the objects. */
    public static final List<String> REFERENCE_OBJECT_ORDER = List.of("Brain", "Liver", "Retina_RESC",
            "Retina_OCT2017", "Chest", "Histopathology");

    /** The splits train_zero.py trains on: the other objects' test splits only. */
    public static final List<BmadDataset.Split> REFERENCE_SPLITS = List.of(BmadDataset.Split.TEST);

    private final List<ZeroShotTrainer.Item> items;
    private final List<String> objects;
    private final List<String> missing;
    private final List<BmadDataset.Split> splits;

    private ZeroShotTrainingSet(List<ZeroShotTrainer.Item> items, List<String> objects, List<String> missing,
            List<BmadDataset.Split> splits) {
        this.items = List.copyOf(items);
        this.objects = List.copyOf(objects);
        this.missing = List.copyOf(missing);
        this.splits = List.copyOf(splits);
    }

    /**
     * Lists the training images for {@code heldOut}.
     *
     * @param dataPath the folder holding the {@code <Object>_AD} data sets
     * @param known every object the run knows (the prompt configuration's table); those of
     *        {@link #REFERENCE_OBJECT_ORDER} come in that order, objects of the user's own after
     *        them in the table's order
     * @param splits the splits to read per object, in this order (the reference: {@link #REFERENCE_SPLITS})
     * @throws IllegalArgumentException when {@code splits} is empty or names a split twice
     */
    public static ZeroShotTrainingSet build(Path dataPath, ObjectInfo heldOut, List<ObjectInfo> known,
            List<BmadDataset.Split> splits) {
        if (splits.isEmpty()) {
            throw new IllegalArgumentException("no split to train on: name valid, test or both");
        }
        if (splits.stream().distinct().count() != splits.size()) {
            throw new IllegalArgumentException("a split is named twice: " + names(splits));
        }
        List<ZeroShotTrainer.Item> items = new ArrayList<>();
        List<String> used = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (ObjectInfo o : referenceOrder(known)) {
            if (o.name().equals(heldOut.name())) {
                continue;
            }
            if (!Files.isDirectory(dataPath.resolve(o.name() + "_AD"))) {
                missing.add(o.name());
                continue;
            }
            BmadDataset ds = BmadDataset.open(dataPath, o.name(), o.hasMasks());
            for (BmadDataset.Split split : splits) {
                // Good sorted, then Ungood sorted; masks from the layout (see BmadDataset).
                for (Sample s : ds.samples(split)) {
                    items.add(new ZeroShotTrainer.Item(o, s));
                }
            }
            used.add(o.name());
        }
        return new ZeroShotTrainingSet(items, used, missing, splits);
    }

    /** The objects in the order the reference walks them: its CLASS_NAMES first, then any others. */
    static List<ObjectInfo> referenceOrder(List<ObjectInfo> known) {
        List<ObjectInfo> out = new ArrayList<>(known);
        // Stable sort: objects outside the reference's list keep the table's order, after the rest.
        out.sort(Comparator.comparingInt(o -> {
            int i = REFERENCE_OBJECT_ORDER.indexOf(o.name());
            return i < 0 ? REFERENCE_OBJECT_ORDER.size() : i;
        }));
        return out;
    }

    /** The images, object by object, split by split, good then Ungood, each sorted by file name. */
    public List<ZeroShotTrainer.Item> items() {
        return items;
    }

    /** The objects whose images are in the set, in the set's order. */
    public List<String> objects() {
        return objects;
    }

    /** Objects other than the held-out one with no {@code <Object>_AD} folder (left out). */
    public List<String> missing() {
        return missing;
    }

    public List<BmadDataset.Split> splits() {
        return splits;
    }

    /** Whether this is the reference's training data (the test splits only). */
    public boolean isReferenceSplits() {
        return splits.equals(REFERENCE_SPLITS);
    }

    /** The splits as the command line and the run's metadata name them, e.g. {@code ["valid", "test"]}. */
    public List<String> splitNames() {
        return names(splits);
    }

    private static List<String> names(List<BmadDataset.Split> splits) {
        return splits.stream().map(s -> s.name().toLowerCase(Locale.ROOT)).toList();
    }
}
