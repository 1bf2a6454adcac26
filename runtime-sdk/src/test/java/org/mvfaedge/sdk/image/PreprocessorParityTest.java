package org.mvfaedge.sdk.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.sdk.testing.Npy;

/** Decode + preprocess of the fixture images against what the reference's data set produced. */
class PreprocessorParityTest {
    private static final int SIZE = 72;

    @ParameterizedTest
    @ValueSource(strings = {"img0", "img1", "img2"})
    void imageTensorEqualsReferenceExactly(String name) {
        Path dir = Fixtures.tinyA();
        Npy expected = Fixtures.npy(dir.resolve("forward/" + name + "/input.npy"));
        assertArrayEquals(new long[] {3, SIZE, SIZE}, expected.shape);
        RgbImage image = new ImageDecoder().decode(dir.resolve("images/" + name + ".png"));
        float[] actual = new Preprocessor(SIZE).image(image);
        // Exact: every value is k / 255 and PIL's fixed-point resize is reproduced bit for bit.
        Fixtures.assertClose(name + " input (255 * diff, levels)", scale255(actual), scale255(expected.floats()), 0.0);
        assertArrayEquals(expected.floats(), actual);
    }

    @ParameterizedTest
    @ValueSource(strings = {"img0", "img1", "img2"})
    void maskTensorEqualsReferenceExactly(String name) {
        Path dir = Fixtures.tinyA();
        Npy expected = Fixtures.npy(dir.resolve("forward/" + name + "/mask.npy"));
        assertArrayEquals(new long[] {1, SIZE, SIZE}, expected.shape);
        GreyImage mask = new ImageDecoder().decodeMask(dir.resolve("images/" + name + "_mask.png"));
        float[] actual = new Preprocessor(SIZE).mask(mask);
        Fixtures.assertClose(name + " mask", actual, expected.floats(), 0.0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"support0", "support1"})
    void supportShotsGiveTheSameTensorThroughTheBatchSlotAndTheResizer(String name) {
        // No tensor of the support shots is stored (only their tokens): check that the batch-slot
        // path, the one-shot path and the plain resizer agree, and that a same-size resize is a copy.
        RgbImage image = new ImageDecoder().decode(Fixtures.tinyA().resolve("images/" + name + ".png"));
        Preprocessor pre = new Preprocessor(SIZE);
        float[] batch = new float[2 * pre.imageLength()];
        pre.image(image, batch, pre.imageLength());
        float[] single = pre.image(image);
        float[] slot = java.util.Arrays.copyOfRange(batch, pre.imageLength(), batch.length);
        assertArrayEquals(single, slot);
        assertArrayEquals(PilResize.bicubic(image, SIZE, SIZE).toByteArray(), bytesOf(single));
        assertArrayEquals(image.toByteArray(),
                PilResize.bicubic(image, image.width(), image.height()).toByteArray());
        assertEquals(3 * SIZE * SIZE, single.length);
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
