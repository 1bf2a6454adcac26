package org.mvfaedge.trainer.demo;

import java.util.Locale;
import org.mvfaedge.trainer.text.BpeTokenizer;
import org.mvfaedge.trainer.weights.ClipConfig;

/**
 * Everything the demo's size decides: how many images, the tiny CLIP's shape, the run's image size
 * and adapter levels, shots and epochs.
 *
 * @param name the {@code --size} name
 * @param brain demo brain image counts and size
 * @param chest demo chest image counts and size
 * @param clip the random CLIP's architecture (byte-level vocabulary, context 77)
 * @param imageSize the run's image size ({@code --img-size})
 * @param features adapter levels (1-based layers)
 * @param shot few-shot k
 * @param epochs training epochs per object
 */
public record DemoPlan(String name, DemoData.Counts brain, DemoData.Counts chest, ClipConfig clip, int imageSize,
        int[] features, int shot, int epochs) {

    /** The byte-level vocabulary: 256 bytes, 256 end-of-word bytes, start and end. */
    public static final int BYTE_VOCAB = new BpeTokenizer(java.util.List.of()).vocabSize();
    /** CLIP's text context. */
    public static final int CONTEXT = 77;

    public DemoPlan {
        features = features.clone();
    }

    @Override
    public int[] features() {
        return features.clone();
    }

    /**
     * The default: 224 px images, a 4-layer width-192 CLIP with ViT-B/16's patch and grid (16 px, 14 x 14),
     * adapters after each of its 4 layers (as the paper's 6/12/18/24 of 24 are every quarter), 4 shots,
     * 2 epochs; 24 + 24 brain valid images (the shots, best-epoch selection and calibration on the
     * rest) and 30 + 30 test images; chest 16 + 16 and 20 + 20. About 50 s on 2 idle cores.
     */
    public static DemoPlan full() {
        return new DemoPlan("full", new DemoData.Counts(224, 24, 24, 30, 30), new DemoData.Counts(224, 16, 16, 20, 20),
                ClipConfig.of(128, 224, 4, 192, 16, CONTEXT, BYTE_VOCAB, 128, 3), 224, new int[] {1, 2, 3, 4}, 4, 2);
    }

    /**
     * The test size: 160 px, the same 4-layer width-192 CLIP (patch 16, 10 x 10 grid), 4 shots, 2 epochs,
     * 14 + 14 brain valid and 30 + 30 test images (chest 8 + 8 and 8 + 8): enough brain test images that
     * an image-level AUC above chance is a finding, not the seed's luck (60 images: a standard error of
     * about 0.06). About 16 s.
     */
    public static DemoPlan small() {
        return new DemoPlan("small", new DemoData.Counts(160, 14, 14, 30, 30), new DemoData.Counts(160, 8, 8, 8, 8),
                ClipConfig.of(96, 160, 4, 192, 16, CONTEXT, BYTE_VOCAB, 64, 2), 160, new int[] {1, 2, 3, 4}, 4, 2);
    }

    /** The plan for a {@code --size} name. */
    public static DemoPlan named(String size) {
        return switch (size.toLowerCase(Locale.ROOT)) {
            case "full" -> full();
            case "small" -> small();
            default -> throw new IllegalArgumentException("--size must be small or full, got '" + size + "'");
        };
    }

    /** This plan with another number of epochs. */
    public DemoPlan withEpochs(int e) {
        if (e < 1) {
            throw new IllegalArgumentException("--epochs must be at least 1, got " + e);
        }
        return new DemoPlan(name, brain, chest, clip, imageSize, features, shot, e);
    }
}
