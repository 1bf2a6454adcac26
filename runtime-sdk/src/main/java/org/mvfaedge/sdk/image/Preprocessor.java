package org.mvfaedge.sdk.image;

import java.util.Objects;

/**
 * Turns decoded images into model input exactly as the reference's {@code MedDataset} does:
 * <ul>
 *   <li>image: PIL bicubic resize to S x S, then {@code ToTensor} (channel-first, {@code v / 255}).
 *       Reference quirk: no mean/std normalisation; MVFA feeds CLIP unnormalised 0..1 pixels.</li>
 *   <li>mask: PIL nearest resize to S x S of the {@code convert('L')} mask, then {@code v / 255}.
 *       Reference quirk: the data set does not binarise; the training and test loops do
 *       ({@code mask > 0.5}), after augmentation; see {@link #binarizeMask}.</li>
 * </ul>
 * An instance reuses its resize tables and scratch buffers between calls (the SDK resizes many
 * images of the same size); it is therefore not thread-safe: use one per thread.
 */
public final class Preprocessor {
    /** {@code ToTensor}'s float32 division, tabulated: {@code v / 255f} for every byte. */
    private static final float[] UNIT = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            UNIT[v] = v / 255f;
        }
    }

    private final PreprocessingSpec spec;
    private final int size;
    private final BicubicResampler resampler = new BicubicResampler();
    private final byte[] resized;
    private final int[] xTable;

    /** MVFA's preprocessing ({@link PreprocessingSpec#mvfa}) for square input of {@code size} x {@code size} pixels. */
    public Preprocessor(int size) {
        this(PreprocessingSpec.mvfa(size));
    }

    /**
     * The preprocessing a package's manifest states (see {@link PreprocessingSpec#of}).
     *
     * @throws IllegalArgumentException for a preparation this class does not implement
     */
    public Preprocessor(PreprocessingSpec spec) {
        int size = spec.size();
        if (size <= 0) {
            throw new IllegalArgumentException("input size must be positive, got " + size);
        }
        if (!spec.equals(PreprocessingSpec.mvfa(size))) {
            throw new IllegalArgumentException("preprocessing " + spec + " is not implemented; only "
                    + PreprocessingSpec.mvfa(size) + " is");
        }
        this.spec = spec;
        this.size = size;
        this.resized = new byte[size * size * 3];
        this.xTable = new int[size];
    }

    /** The preparation this preprocessor applies. */
    public PreprocessingSpec spec() {
        return spec;
    }

    /** The model's input size S. */
    public int size() {
        return size;
    }

    /** Length of one image's tensor: {@code 3 * S * S}. */
    public int imageLength() {
        return 3 * size * size;
    }

    /** Length of one mask's tensor: {@code S * S}. */
    public int maskLength() {
        return size * size;
    }

    /** The image as a new float[3 * S * S], channel-first (CHW), values in 0..1. */
    public float[] image(RgbImage image) {
        float[] out = new float[imageLength()];
        image(image, out, 0);
        return out;
    }

    /** Writes the image's CHW tensor into {@code out} from {@code offset} (e.g. one slot of a batch). */
    public void image(RgbImage image, float[] out, int offset) {
        Objects.requireNonNull(image, "image");
        Objects.checkFromIndexSize(offset, imageLength(), out.length);
        int plane = size * size;
        if (image.channels() == 1) {
            // grey: one channel resampled, the same arithmetic the three equal channels would get
            resampler.resize(image.data(), image.width(), image.height(), 1, size, size, resized);
            for (int p = 0; p < plane; p++) {
                float v = UNIT[resized[p] & 0xff];
                out[offset + p] = v;
                out[offset + plane + p] = v;
                out[offset + 2 * plane + p] = v;
            }
            return;
        }
        resampler.resize(image.data(), image.width(), image.height(), 3, size, size, resized);
        for (int p = 0, s = 0; p < plane; p++, s += 3) {
            out[offset + p] = UNIT[resized[s] & 0xff];
            out[offset + plane + p] = UNIT[resized[s + 1] & 0xff];
            out[offset + 2 * plane + p] = UNIT[resized[s + 2] & 0xff];
        }
    }

    /** The mask as a new float[S * S] (the reference's [1, S, S]), values {@code v / 255}, not binarised. */
    public float[] mask(GreyImage mask) {
        float[] out = new float[maskLength()];
        mask(mask, out, 0);
        return out;
    }

    /** Writes the mask's tensor into {@code out} from {@code offset}. */
    public void mask(GreyImage mask, float[] out, int offset) {
        Objects.requireNonNull(mask, "mask");
        Objects.checkFromIndexSize(offset, maskLength(), out.length);
        PilResize.nearestInto(mask.data(), mask.width(), mask.height(), 1, size, size, resized, xTable);
        for (int p = 0, n = maskLength(); p < n; p++) {
            out[offset + p] = UNIT[resized[p] & 0xff];
        }
    }

    /**
     * Binarises mask values in place as the reference's loops do before the losses and metrics:
     * {@code mask[mask > 0.5], mask[mask <= 0.5] = 1, 0}.
     */
    public static void binarizeMask(float[] mask, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, mask.length);
        for (int i = offset, end = offset + length; i < end; i++) {
            mask[i] = mask[i] > 0.5f ? 1f : 0f;
        }
    }
}
