package org.mvfaedge.sdk.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A grey image is held with one sample per pixel; everything computed from it must equal what the same
 * image replicated to three RGB channels gives: the model's tensor (PIL-exact bicubic), resizes, the
 * averaged picture, the RGB bytes.
 */
class GreyBackedImageTest {
    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] replicate(byte[] grey) {
        byte[] rgb = new byte[grey.length * 3];
        for (int i = 0; i < grey.length; i++) {
            rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i];
        }
        return rgb;
    }

    @Test
    void greyGivesExactlyWhatItsRgbFormGives() {
        int[][] sizes = {{90, 100}, {512, 384}, {71, 1033}, {240, 240}, {37, 29}, {1500, 1200}};
        for (int[] wh : sizes) {
            int w = wh[0];
            int h = wh[1];
            byte[] grey = random(w * h, w * 31L + h);
            RgbImage g = RgbImage.fromRaw(grey, w, h, 1);
            RgbImage rgb = RgbImage.fromRaw(replicate(grey), w, h, 3);
            assertEquals(1, g.channels());
            assertArrayEquals(rgb.toByteArray(), g.toByteArray());
            for (int size : new int[] {72, 240, 336}) {
                Preprocessor p = new Preprocessor(size);
                assertArrayEquals(p.image(rgb), p.image(g), 0f, w + "x" + h + " -> " + size);
            }
            assertArrayEquals(PilResize.bicubic(rgb, 61, 47).toByteArray(), PilResize.bicubic(g, 61, 47).toByteArray());
            assertArrayEquals(PilResize.nearest(rgb, 61, 47).toByteArray(), PilResize.nearest(g, 61, 47).toByteArray());
            assertArrayEquals(rgb.averagedTo(Math.max(1, w / 7), Math.max(1, h / 5)).toByteArray(),
                    g.averagedTo(Math.max(1, w / 7), Math.max(1, h / 5)).toByteArray());
            assertEquals(rgb.get(w - 1, h - 1, 2), g.get(w - 1, h - 1, 2));
        }
    }

    @Test
    void averagingIsTheMeanOfTheCoveredPixels() {
        // 4 x 2 grey -> 2 x 1: each output pixel averages a 2 x 2 block (rounded half up)
        RgbImage g = RgbImage.fromRaw(new byte[] {0, 10, 20, 30, 1, 11, 21, (byte) 200}, 4, 2, 1);
        RgbImage a = g.averagedTo(2, 1);
        assertEquals(Math.round((0 + 10 + 1 + 11) / 4.0), a.get(0, 0, 0));
        assertEquals((int) Math.floor((20 + 30 + 21 + 200) / 4.0 + 0.5), a.get(1, 0, 1));
    }
}
