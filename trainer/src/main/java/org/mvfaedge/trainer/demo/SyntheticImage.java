package org.mvfaedge.trainer.demo;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;

/**
 * One generated grey image (intensities nominally in [0, 1], clipped when written) and, for
 * anomalous images of objects with pixel masks, its lesion mask.
 *
 * @param size side in pixels
 * @param pixels row-major intensities
 * @param mask row-major lesion mask, or {@code null} where the image has none
 */
record SyntheticImage(int size, float[] pixels, boolean[] mask) {

    SyntheticImage withMask(boolean[] m) {
        return new SyntheticImage(size, pixels, m);
    }

    /** The image as an 8-bit grey raster (what BMAD's PNGs are). */
    BufferedImage toGrey() {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = img.getRaster();
        int[] row = new int[size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                float v = pixels[y * size + x];
                row[x] = Math.max(0, Math.min(255, Math.round(v * 255)));
            }
            r.setPixels(0, y, size, 1, row);
        }
        return img;
    }

    /** The mask as an 8-bit grey raster, 255 inside the lesions, 0 elsewhere. */
    BufferedImage maskToGrey() {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = img.getRaster();
        int[] row = new int[size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                row[x] = mask != null && mask[y * size + x] ? 255 : 0;
            }
            r.setPixels(0, y, size, 1, row);
        }
        return img;
    }

    /** Pixels inside the mask. */
    int maskArea() {
        int c = 0;
        if (mask != null) {
            for (boolean b : mask) {
                if (b) {
                    c++;
                }
            }
        }
        return c;
    }
}
