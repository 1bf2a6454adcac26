package org.mvfaedge.trainer.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.testing.Fixtures;

/** align_corners bilinear interpolation against hand-computed values and invariants. */
class BilinearUpsamplerTest {

    @Test
    void twoByTwoToThreeByThreeByHand() {
        // Source coords 0, 0.5, 1: the middle row/column is the average of its neighbours.
        assertArrayEquals(new float[] {1, 0, 0.5f, 0.5f, 0, 1}, BilinearUpsampler.matrix(2, 3));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
            NDArray y = BilinearUpsampler.upsample(x, 3);
            assertEquals(new Shape(1, 1, 3, 3), y.getShape());
            assertArrayEquals(new float[] {1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4}, y.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void threeToFiveByHand() {
        // dst 0..4 -> src 0, 0.5, 1, 1.5, 2.
        float[] expected = {
            1, 0, 0,
            0.5f, 0.5f, 0,
            0, 1, 0,
            0, 0.5f, 0.5f,
            0, 0, 1};
        assertArrayEquals(expected, BilinearUpsampler.matrix(3, 5));
        // 5 -> 3 (shrinking): src 0, 2, 4, picks samples exactly.
        float[] down = BilinearUpsampler.matrix(5, 3);
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1}, down);
    }

    @Test
    void degenerateSizesFollowPyTorch() {
        // in == 1: every output copies the single sample; out == 1: the first sample (scale 0).
        assertArrayEquals(new float[] {1, 1, 1, 1}, BilinearUpsampler.matrix(1, 4));
        assertArrayEquals(new float[] {1, 0, 0}, BilinearUpsampler.matrix(3, 1));
        assertThrows(HeadInputException.class, () -> BilinearUpsampler.matrix(0, 4));
    }

    @Test
    void reproducesALinearFunctionOnEveryChannelAndImage() {
        // Bilinear interpolation is exact on f(i, j) = a i + b j + c, with i = dst * (G-1)/(S-1).
        int g = 5;
        int s = 61;
        int n = 2;
        int ch = 3;
        float[] src = new float[n * ch * g * g];
        float[] expected = new float[n * ch * s * s];
        for (int b = 0; b < n * ch; b++) {
            float a = 0.5f + b;
            float c = -2f * b;
            for (int i = 0; i < g; i++) {
                for (int j = 0; j < g; j++) {
                    src[(b * g + i) * g + j] = a * i - 0.25f * j + c;
                }
            }
            double scale = (g - 1.0) / (s - 1.0);
            for (int y = 0; y < s; y++) {
                for (int x = 0; x < s; x++) {
                    expected[(b * s + y) * s + x] = (float) (a * y * scale - 0.25 * x * scale + c);
                }
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray out = BilinearUpsampler.upsample(m.create(src, new Shape(n, ch, g, g)), s);
            assertEquals(new Shape(n, ch, s, s), out.getShape());
            Fixtures.assertClose("bilinear 5->61 on a linear function", out.toFloatArray(), expected, 1e-5);
        }
    }

    @Test
    void rowsSumToOneAndDataTypeIsKept() {
        float[] w = BilinearUpsampler.matrix(17, 240);
        for (int r = 0; r < 240; r++) {
            double sum = 0;
            for (int c = 0; c < 17; c++) {
                sum += w[r * 17 + c];
            }
            assertEquals(1.0, sum, 1e-6, "row " + r);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new double[] {1, 2, 3, 4}, new Shape(2, 2));
            NDArray y = BilinearUpsampler.upsample(x, 4, 3);
            assertEquals(DataType.FLOAT64, y.getDataType());
            assertEquals(new Shape(4, 3), y.getShape());
        }
    }

    @Test
    void rejectsAVector() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray v = m.create(new float[] {1, 2});
            HeadInputException e = assertThrows(HeadInputException.class, () -> BilinearUpsampler.upsample(v, 4));
            assertEquals(true, e.getMessage().contains("[..., H, W]"));
        }
    }
}
