package org.mvfaedge.trainer.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.mvfaedge.sdk.image.Augmentation;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.Preprocessor;
import org.mvfaedge.trainer.cli.ProgressBar;
import org.mvfaedge.trainer.data.FewShotSplit;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.text.ObjectInfo;
import org.mvfaedge.trainer.train.AdapterTraining;
import org.mvfaedge.trainer.train.DetLoss;
import org.mvfaedge.trainer.train.StepLosses;
import org.mvfaedge.trainer.weights.AdapterCheckpoint;

/**
 * Few-shot adapter training for the demo, on the {@code train} branch's reference training step
 * ({@link AdapterTraining#step}: the det/seg losses and torch-exact Adam of train_few.py, batch 1).
 * The loop is train_few.py's: the abnormal shots with their masks and the normal shots, each augmented
 * to {@link Augmentation#COUNT} views, shuffled every epoch. Frozen prefixes are computed once and
 * reused across epochs (they depend on frozen weights only).
 *
 * <p>Unlike the reference, which evaluates on the test split after every epoch and keeps the best
 * epoch (model selection on the test set), the demo keeps the last epoch: its reported AUCs are then
 * not selected on the data they are measured on.
 */
final class DemoTraining {
    /** Learning rate of MVFA's few-shot training (train_few.py's default). */
    static final double LEARNING_RATE = 1e-3;

    /** One epoch's record: mean loss, and the losses of its steps in order. */
    record Epoch(int epoch, double meanLoss, double[] stepLosses, double seconds) {
    }

    /** The run: per-epoch records and the checkpoint written. */
    record Result(List<Epoch> epochs, Path checkpoint) {
    }

    private DemoTraining() {
    }

    static Result train(MvfaModel model, ObjectInfo object, FewShotSplit split, int epochs, long seed, Path checkpoint,
            java.io.PrintStream progress) {
        int s = model.settings().imageSize();
        List<float[]> images = new ArrayList<>();
        List<float[]> masks = new ArrayList<>();
        List<Float> labels = new ArrayList<>();
        addViews(split.abnormal(), object.hasMasks(), 1f, s, images, masks, labels);
        addViews(split.normal(), false, 0f, s, images, masks, labels);
        List<Epoch> history = new ArrayList<>();
        try (AdapterTraining training = new AdapterTraining(model, LEARNING_RATE, DetLoss.BCE_WITH_LOGITS_ON_PROBABILITY)) {
            float[][] prefixes = new float[images.size()][];
            ProgressBar pre = new ProgressBar("  frozen layers of " + images.size() + " training views", images.size(),
                    progress);
            for (int i = 0; i < images.size(); i++) {
                prefixes[i] = training.prefix(images.get(i));
                pre.update(i + 1);
            }
            pre.done();
            for (int epoch = 0; epoch < epochs; epoch++) {
                long t0 = System.nanoTime();
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < images.size(); i++) {
                    order.add(i);
                }
                Collections.shuffle(order, new Random(seed * 31 + epoch));
                ProgressBar bar = new ProgressBar(String.format("  %s epoch %d/%d", object.name(), epoch + 1, epochs),
                        order.size(), progress);
                double[] losses = new double[order.size()];
                double sum = 0;
                for (int k = 0; k < order.size(); k++) {
                    int i = order.get(k);
                    StepLosses l = training.step(prefixes[i], masks.get(i), labels.get(i), object);
                    losses[k] = l.total();
                    sum += l.total();
                    bar.extra(String.format("loss %.4f", sum / (k + 1)));
                    bar.update(k + 1);
                }
                bar.done();
                Epoch e = new Epoch(epoch, sum / Math.max(1, order.size()), losses, (System.nanoTime() - t0) / 1e9);
                history.add(e);
                if (progress != null) {
                    progress.printf("  %s epoch %d/%d: mean loss %.4f (%.1f s)%n", object.name(), epoch + 1, epochs,
                            e.meanLoss(), e.seconds());
                }
            }
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("object", object.name());
        meta.put("shot", Integer.toString(split.shot()));
        meta.put("epochs", Integer.toString(epochs));
        meta.put("seed", Long.toString(seed));
        meta.put("source", "mvfa demo");
        AdapterCheckpoint.write(checkpoint, model.adapterWeights(), meta);
        return new Result(history, checkpoint);
    }

    private static void addViews(List<Sample> shots, boolean withMasks, float label, int s, List<float[]> images,
            List<float[]> masks, List<Float> labels) {
        Preprocessor pre = new Preprocessor(s);
        ImageDecoder decoder = new ImageDecoder();
        int per = 3 * s * s;
        int plane = s * s;
        for (Sample shot : shots) {
            float[] image = pre.image(decoder.decode(shot.image()));
            float[] mask = withMasks && shot.mask() != null ? pre.mask(decoder.decodeMask(shot.mask())) : null;
            Augmentation.Augmented a = Augmentation.augment(image, mask, 3, s, s);
            for (int v = 0; v < Augmentation.COUNT; v++) {
                images.add(Arrays.copyOfRange(a.images(), v * per, (v + 1) * per));
                masks.add(a.masks() == null ? null : Arrays.copyOfRange(a.masks(), v * plane, (v + 1) * plane));
                labels.add(label);
            }
        }
    }
}
