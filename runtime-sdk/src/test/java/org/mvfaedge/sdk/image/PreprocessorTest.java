package org.mvfaedge.sdk.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Layout and value semantics of the preprocessing, independent of the fixture. */
class PreprocessorTest {

    @Test
    void imageIsChannelFirstAndDividedBy255WithoutNormalisation() {
        // 2 x 1 RGB at its own size: no resampling, so the tensor is the pixels / 255 in CHW order.
        RgbImage img = RgbImage.fromRaw(new byte[] {0, 51, (byte) 255, 102, (byte) 153, (byte) 204}, 2, 1, 3);
        Preprocessor pre = new Preprocessor(2);
        RgbImage square = PilResize.nearest(img, 2, 2); // rows duplicated: a 2 x 2 image
        float[] t = pre.image(square);
        assertArrayEquals(new float[] {0f, 102 / 255f, 0f, 102 / 255f, 51 / 255f, 153 / 255f, 51 / 255f,
            153 / 255f, 1f, 204 / 255f, 1f, 204 / 255f}, t);
    }

    @Test
    void maskKeepsGreyLevelsUntilBinarised() {
        GreyImage mask = GreyImage.fromRaw(new byte[] {0, (byte) 128, 127, (byte) 255}, 2, 2);
        float[] m = new Preprocessor(2).mask(mask);
        assertArrayEquals(new float[] {0f, 128 / 255f, 127 / 255f, 1f}, m);
        Preprocessor.binarizeMask(m, 0, m.length);
        // Reference: mask[mask > 0.5], mask[mask <= 0.5] = 1, 0 (128/255 = 0.502, 127/255 = 0.498)
        assertArrayEquals(new float[] {0f, 1f, 0f, 1f}, m);
        float[] exactlyHalf = {0.5f};
        Preprocessor.binarizeMask(exactlyHalf, 0, 1);
        assertEquals(0f, exactlyHalf[0]);
    }

    @Test
    void reusedInstanceGivesTheSameResultForDifferentInputSizes() {
        Preprocessor pre = new Preprocessor(16);
        RgbImage a = RgbImage.fromRaw(PilResizeTest.randomBytes(40 * 30 * 3, 1), 40, 30, 3);
        RgbImage b = RgbImage.fromRaw(PilResizeTest.randomBytes(9 * 11 * 3, 2), 9, 11, 3);
        float[] a1 = pre.image(a);
        float[] b1 = pre.image(b);
        assertArrayEquals(a1, new Preprocessor(16).image(a));
        assertArrayEquals(b1, new Preprocessor(16).image(b));
        assertArrayEquals(a1, pre.image(a));
    }

    @Test
    void outputSlotMustFit() {
        Preprocessor pre = new Preprocessor(4);
        RgbImage img = RgbImage.fromRaw(new byte[3 * 4 * 4], 4, 4, 3);
        assertThrows(IndexOutOfBoundsException.class, () -> pre.image(img, new float[48], 1));
        assertThrows(IllegalArgumentException.class, () -> new Preprocessor(0));
    }
}
