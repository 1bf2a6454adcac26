package org.mvfaedge.sdk.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.sdk.testing.Npy;

/** {@code utils.augment} of the fixture's img0 (with mask) and img1 (without) against the reference. */
class AugmentationParityTest {
    /** Images: a float32 implementation reaches ~1.1e-6. */
    private static final double TOL = 1e-5;
    /**
     * Masks: the README's tolerance. A 0/1 mask turns a one-ulp difference of a sampling coordinate
     * (7.6e-6 for coordinates from 32 up to the image side; ATen's vectorised linspace and bmm round differently from a
     * scalar loop) into a value difference of the same size, so masks land near 1e-5, not 1e-6.
     */
    private static final double MASK_TOL = 1e-4;

    @Test
    void imageAndMaskAugmentationMatchReference() {
        FixtureConfig cfg = FixtureConfig.get();
        Path dir = cfg.dir();
        int size = cfg.imgSize();
        // Start from the reference's own input tensors so this test isolates the augmentation.
        float[] image = cfg.input("img0");
        float[] mask = cfg.mask("img0");
        Augmentation.Augmented out = Augmentation.augment(image, mask, 3, size, size);

        Npy expectedImages = Fixtures.npy(dir.resolve("augment/with_mask_images.npy"));
        Npy expectedMasks = Fixtures.npy(dir.resolve("augment/with_mask_masks.npy"));
        assertArrayEquals(new long[] {Augmentation.COUNT, 3, size, size}, expectedImages.shape);
        assertArrayEquals(new long[] {Augmentation.COUNT, 1, size, size}, expectedMasks.shape);
        float[] ei = expectedImages.floats();
        float[] em = expectedMasks.floats();
        String[] names = {"original", "rot -pi/8", "rot -pi/16", "rot pi/16", "rot pi/8", "shift (0.1,0.1)",
            "shift (-0.1,0.1)", "shift (-0.1,-0.1)", "shift (0.1,-0.1)", "hflip", "vflip"};
        int n = 3 * size * size;
        int m = size * size;
        for (int k = 0; k < Augmentation.COUNT; k++) {
            Fixtures.assertClose("augment img0 " + names[k], Arrays.copyOfRange(out.images(), k * n, (k + 1) * n),
                    Arrays.copyOfRange(ei, k * n, (k + 1) * n), TOL);
        }
        Fixtures.assertClose("augment img0 all images", out.images(), ei, TOL);
        Fixtures.assertClose("augment img0 all masks (not binarised)", out.masks(), em, MASK_TOL);
        // The reference leaves interpolated mask values fractional; the loops binarise later.
        assertEquals(true, hasFraction(em), "fixture masks should hold interpolated values");
    }

    @Test
    void normalShotAugmentationMatchesReferenceAndHasZeroMasks() {
        FixtureConfig cfg = FixtureConfig.get();
        Path dir = cfg.dir();
        int size = cfg.imgSize();
        float[] image = cfg.input("img1");
        Augmentation.Augmented out = Augmentation.augment(image, null, 3, size, size);
        Fixtures.assertClose("augment img1 (no mask) all images", out.images(),
                Fixtures.npy(dir.resolve("augment/normal_images.npy")).floats(), TOL);
        assertEquals(Augmentation.COUNT * size * size, out.masks().length);
        for (float v : out.masks()) {
            assertEquals(0f, v);
        }
    }

    @Test
    void flipsAreExactMirrorsOnANonSquareImage() {
        // 2 channels, 3 x 4: flips are pure index permutations, checkable by hand.
        int c = 2;
        int h = 3;
        int w = 4;
        float[] img = new float[c * h * w];
        for (int i = 0; i < img.length; i++) {
            img[i] = i;
        }
        float[] out = Augmentation.augment(img, c, h, w);
        int n = img.length;
        float[] hflip = Arrays.copyOfRange(out, 9 * n, 10 * n);
        float[] vflip = Arrays.copyOfRange(out, 10 * n, 11 * n);
        assertEquals(3f, hflip[0]);          // channel 0, row 0: 3 2 1 0
        assertEquals(0f, hflip[3]);
        assertEquals(8f, vflip[0]);          // channel 0, row 0 <- row 2 (8 9 10 11)
        assertEquals(12f + 11f, hflip[12 + 8]); // channel 1, row 2, x 0 <- x 3: 12 + 2*4 + 3
        assertArrayEquals(Arrays.copyOf(img, n), Arrays.copyOf(out, n));
    }

    @Test
    void batchVariantWritesTheSameValuesAtAnOffset() {
        float[] img = new float[2 * 6 * 5];
        for (int i = 0; i < img.length; i++) {
            img[i] = (i * 37 % 11) / 10f;
        }
        float[] alone = Augmentation.augment(img, 2, 6, 5);
        float[] batch = new float[7 + alone.length];
        Augmentation.augment(img, 2, 6, 5, batch, 7);
        assertArrayEquals(alone, Arrays.copyOfRange(batch, 7, batch.length));
        org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
                () -> Augmentation.augment(img, 2, 6, 5, new float[alone.length], 1));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Augmentation.augment(img, new float[3], 2, 6, 5));
    }

    @Test
    void constantImageStaysConstantUnderEveryTransform() {
        // Bilinear weights sum to 1 and reflection never leaves the image: a constant is preserved.
        float[] img = new float[3 * 10 * 7];
        Arrays.fill(img, 0.25f);
        float[] out = Augmentation.augment(img, 3, 10, 7);
        for (float v : out) {
            assertEquals(0.25f, v, 1e-6f);
        }
    }

    private static boolean hasFraction(float[] a) {
        for (float v : a) {
            if (v != 0f && v != 1f) {
                return true;
            }
        }
        return false;
    }
}
