package org.mvfaedge.sdk.detect;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/** Synthetic images for the detector's tests. */
public final class TestImages {
    private TestImages() {
    }

    /** Black grey image with a white rectangle [x0, x1) x [y0, y1). */
    public static byte[] greyRectangle(int w, int h, int x0, int y0, int x1, int y1) {
        byte[] g = new byte[w * h];
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                g[y * w + x] = (byte) 255;
            }
        }
        return g;
    }

    /** The grey pixels as an 8-bit grey AWT image. */
    public static BufferedImage grey(byte[] g, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, w, h, g);
        return img;
    }

    /** PNG bytes of an AWT image. */
    public static byte[] png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }
}
