package org.mvfaedge.sdk.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

class PilResizeTest {

    @Test
    void sameSizeIsACopy() {
        byte[] src = randomBytes(7 * 5 * 3, 1);
        byte[] bicubic = PilResize.bicubic(src, 7, 5, 3, 7, 5);
        byte[] nearest = PilResize.nearest(src, 7, 5, 3, 7, 5);
        assertArrayEquals(src, bicubic);
        assertArrayEquals(src, nearest);
        assertNotSame(src, bicubic);
    }

    @Test
    void bicubicUpscaleOfATwoPixelRowMatchesHandComputation() {
        // [0, 255] -> 4 pixels, height unchanged (vertical pass skipped). By hand, with Pillow's
        // kernel (a = -0.5), support 2, weights normalised then rounded to 2^22 fixed point:
        // out 0: weights (1.088, -0.088) -> -22.5 -> clipped 0
        // out 1: centre 0.75, w(1) = 0.2265625 / 1.09375 = 0.20714 -> 255 * 0.20714 = 52.8 -> 53 (floor after +0.5)
        // out 2: mirror image: 255 * 0.79286 = 202.2 -> 202
        // out 3: 255 * 1.088 -> clipped 255
        byte[] out = PilResize.bicubic(new byte[] {0, (byte) 255}, 2, 1, 1, 4, 1);
        assertArrayEquals(new int[] {0, 53, 202, 255}, unsigned(out));
        // The same along the vertical axis (horizontal pass skipped) gives the same column.
        byte[] col = PilResize.bicubic(new byte[] {0, (byte) 255}, 1, 2, 1, 1, 4);
        assertArrayEquals(new int[] {0, 53, 202, 255}, unsigned(col));
    }

    @Test
    void bicubicKernelValuesAreKeysCubicWithMinusOneHalf() {
        assertEquals(1.0, BicubicResampler.cubic(0), 0);
        assertEquals(0.8671875, BicubicResampler.cubic(0.25), 0);
        assertEquals(0.8671875, BicubicResampler.cubic(-0.25), 0);
        assertEquals(-0.0703125, BicubicResampler.cubic(1.25), 0);
        assertEquals(0.0, BicubicResampler.cubic(1.0), 0);
        assertEquals(0.0, BicubicResampler.cubic(2.0), 0);
    }

    @Test
    void shrinkWidensTheKernel() {
        BicubicResampler.Coefficients c = new BicubicResampler.Coefficients(100, 10);
        // scale 10: support 2 * 10 = 20 either side -> ceil(20) * 2 + 1 taps
        assertEquals(41, c.ksize);
        // Output 5's centre is 55: taps from (int)(55 - 20 + 0.5) = 35, up to 75 (40 taps).
        assertEquals(35, c.bounds[10]);
        assertEquals(40, c.bounds[11]);
        long sum = 0;
        for (int i = 0; i < c.ksize; i++) {
            sum += c.weights[5 * c.ksize + i];
        }
        assertEquals(1 << 22, sum, c.ksize); // normalised, up to one rounding per tap
    }

    @Test
    void constantImageStaysConstantWhenShrinkingOrEnlarging() {
        byte[] src = new byte[37 * 23 * 3];
        Arrays.fill(src, (byte) 200);
        for (byte v : PilResize.bicubic(src, 37, 23, 3, 10, 50)) {
            assertEquals(200, v & 0xff);
        }
    }

    @Test
    void rgbResizeEqualsResizingEachChannelAlone() {
        int w = 19;
        int h = 13;
        byte[] rgb = randomBytes(w * h * 3, 7);
        byte[] out = PilResize.bicubic(rgb, w, h, 3, 8, 30);
        for (int c = 0; c < 3; c++) {
            byte[] plane = new byte[w * h];
            for (int i = 0; i < plane.length; i++) {
                plane[i] = rgb[i * 3 + c];
            }
            byte[] single = PilResize.bicubic(plane, w, h, 1, 8, 30);
            for (int i = 0; i < single.length; i++) {
                assertEquals(single[i], out[i * 3 + c], "channel " + c + " pixel " + i);
            }
        }
    }

    @Test
    void nearestPicksPillowsSourcePixels() {
        // 4 -> 2: positions 1 + 2x -> 1, 3. 2 -> 4: 0.25 + 0.5x -> 0, 0, 1, 1.
        assertArrayEquals(new int[] {11, 13}, unsigned(PilResize.nearest(new byte[] {10, 11, 12, 13}, 4, 1, 1, 2, 1)));
        assertArrayEquals(new int[] {10, 10, 11, 11}, unsigned(PilResize.nearest(new byte[] {10, 11}, 2, 1, 1, 4, 1)));
        // 3 -> 2 rows of a 1-wide RGB column: positions 0.75, 2.25 -> rows 0, 2.
        byte[] col = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        assertArrayEquals(new int[] {1, 2, 3, 7, 8, 9}, unsigned(PilResize.nearest(col, 1, 3, 3, 1, 2)));
    }

    @Test
    void imageOverloadsKeepTheImageType() {
        RgbImage rgb = RgbImage.fromRaw(randomBytes(5 * 4 * 3, 3), 5, 4, 3);
        RgbImage r = PilResize.bicubic(rgb, 9, 2);
        assertEquals(9, r.width());
        assertEquals(2, r.height());
        GreyImage g = PilResize.nearest(GreyImage.fromRaw(randomBytes(20, 4), 5, 4), 3, 3);
        assertEquals(3, g.width());
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PilResize.bicubic(new byte[5], 2, 2, 1, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> PilResize.nearest(new byte[4], 2, 2, 1, 0, 4));
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static int[] unsigned(byte[] b) {
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xff;
        }
        return out;
    }
}
