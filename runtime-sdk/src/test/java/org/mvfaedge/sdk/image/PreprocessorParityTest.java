package org.mvfaedge.sdk.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.sdk.testing.Npy;

/** Decode + preprocess of the fixture images against what the reference's data set produced. */
class PreprocessorParityTest {
    static List<String> forwardImages() {
        return FixtureConfig.get().forwardImages();
    }

    static List<String> supportImages() {
        return FixtureConfig.get().supportImages();
    }

    @ParameterizedTest
    @MethodSource("forwardImages")
    void imageTensorEqualsReferenceExactly(String name) {
        FixtureConfig cfg = FixtureConfig.get();
        int size = cfg.imgSize();
        Npy expected = Fixtures.npy(cfg.file("forward/" + name + "/input.npy"));
        assertArrayEquals(new long[] {3, size, size}, expected.shape, "input.npy at the fixture's img_size " + size);
        RgbImage image = new ImageDecoder().decode(cfg.file("images/" + name + ".png"));
        float[] actual = new Preprocessor(size).image(image);
        // Exact: every value is k / 255 and PIL's fixed-point resize is reproduced bit for bit.
        Fixtures.assertClose(name + " input (255 * diff, levels)", scale255(actual), scale255(expected.floats()), 0.0);
        assertArrayEquals(expected.floats(), actual);
    }

    @ParameterizedTest
    @MethodSource("forwardImages")
    void maskTensorEqualsReferenceExactly(String name) {
        FixtureConfig cfg = FixtureConfig.get();
        int size = cfg.imgSize();
        Npy expected = Fixtures.npy(cfg.file("forward/" + name + "/mask.npy"));
        assertArrayEquals(new long[] {1, size, size}, expected.shape, "mask.npy at the fixture's img_size " + size);
        GreyImage mask = new ImageDecoder().decodeMask(cfg.file("images/" + name + "_mask.png"));
        float[] actual = new Preprocessor(size).mask(mask);
        Fixtures.assertClose(name + " mask", actual, expected.floats(), 0.0);
    }

    @ParameterizedTest
    @MethodSource("supportImages")
    void supportShotsGiveTheSameTensorThroughTheBatchSlotAndTheResizer(String name) {
        // No tensor of the support shots is stored (only their tokens): check that the batch-slot
        // path, the one-shot path and the plain resizer agree, and that a same-size resize is a copy.
        int size = FixtureConfig.get().imgSize();
        RgbImage image = new ImageDecoder().decode(FixtureConfig.get().file("images/" + name + ".png"));
        Preprocessor pre = new Preprocessor(size);
        float[] batch = new float[2 * pre.imageLength()];
        pre.image(image, batch, pre.imageLength());
        float[] single = pre.image(image);
        float[] slot = java.util.Arrays.copyOfRange(batch, pre.imageLength(), batch.length);
        assertArrayEquals(single, slot);
        assertArrayEquals(PilResize.bicubic(image, size, size).toByteArray(), bytesOf(single));
        assertArrayEquals(image.toByteArray(),
                PilResize.bicubic(image, image.width(), image.height()).toByteArray());
        assertEquals(3 * size * size, single.length);
    }

    /** CHW floats (k/255) back to interleaved bytes. */
    private static byte[] bytesOf(float[] chw) {
        int plane = chw.length / 3;
        byte[] out = new byte[chw.length];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                out[p * 3 + c] = (byte) Math.round(chw[c * plane + p] * 255f);
            }
        }
        return out;
    }

    private static float[] scale255(float[] a) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] * 255f;
        }
        return out;
    }
}
