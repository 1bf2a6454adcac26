package org.mvfaedge.trainer.pipeline;

import java.util.Arrays;

/**
 * The paper's settings in one place: what the command line offers as defaults, what the trainer and the
 * exporter build the model with. The values are those {@code prompts.json} lists under {@code defaults}
 * (the trainer ships that file as its built-in prompts); {@code PaperDefaultsTest} compares every
 * constant here with the file, so the two cannot drift apart.
 *
 * <p>They are compile-time constants because picocli's {@code defaultValue} takes only constants: the
 * {@code *_OPTION} strings are the same values written as a command line would.
 */
public final class PaperDefaults {
    private PaperDefaults() {
    }

    /** Image side the model runs at ({@code img_size}). */
    public static final int IMG_SIZE = 240;
    /** {@link #IMG_SIZE} for a picocli {@code defaultValue}. */
    public static final String IMG_SIZE_OPTION = "" + IMG_SIZE;

    /** 1-based layers followed by an adapter level (ViT-L/14: 6, 12, 18, 24), as an option writes them. */
    public static final String FEATURES_OPTION = "6,12,18,24";

    /** Seed of the shuffling, fresh adapters and random few-shot draws ({@code --seed 111}). */
    public static final long SEED = 111;
    public static final String SEED_OPTION = "" + SEED;

    /** Few-shot: shots per class k. */
    public static final int SHOT = 4;
    public static final String SHOT_OPTION = "" + SHOT;
    /** Few-shot: which split of the paper's split files. */
    public static final int ITERATE = 0;
    public static final String ITERATE_OPTION = "" + ITERATE;
    /** Few-shot training: epochs and Adam learning rate. */
    public static final int FEW_SHOT_EPOCHS = 50;
    public static final String FEW_SHOT_EPOCHS_OPTION = "" + FEW_SHOT_EPOCHS;
    public static final double FEW_SHOT_LR = 1e-3;
    public static final String FEW_SHOT_LR_OPTION = "1e-3";
    /** Zero-shot training: epochs and Adam learning rate (the {@code _OPTION} strings as the paper writes them). */
    public static final int ZERO_SHOT_EPOCHS = 50;
    public static final String ZERO_SHOT_EPOCHS_OPTION = "" + ZERO_SHOT_EPOCHS;
    public static final double ZERO_SHOT_LR = 1e-4;
    public static final String ZERO_SHOT_LR_OPTION = "1e-4";

    /** Adam's betas (the reference's {@code betas=(0.5, 0.999)}, not PyTorch's default 0.9). */
    public static final double ADAM_BETA1 = 0.5;
    public static final double ADAM_BETA2 = 0.999;

    /** CLIP's logit scale as the reference hard-codes it ({@code 100.0 * tokens @ text_features}). */
    public static final float LOGIT_SCALE = 100f;

    /**
     * The residual mix after an adapter level: {@code x = RESIDUAL_MIX x + ADAPTER_MIX seg(x)_out + ADAPTER_MIX
     * det(x)_out}. The DJL model and the ONNX graph builder both read these, so training and serving mix alike.
     */
    public static final float RESIDUAL_MIX = 0.8f;
    public static final float ADAPTER_MIX = 0.1f;

    /** The adapted layers as numbers (a fresh copy). */
    public static int[] features() {
        return Arrays.stream(FEATURES_OPTION.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
