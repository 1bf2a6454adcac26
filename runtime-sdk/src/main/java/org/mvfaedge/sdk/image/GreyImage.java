package org.mvfaedge.sdk.image;

import java.util.Objects;

import org.mvfaedge.sdk.ImageDecodeException;
import org.mvfaedge.sdk.ImageDecodeException.Reason;

/**
 * An 8-bit single-channel image, rows top to bottom: what the reference reads for a ground-truth
 * mask ({@code Image.open(mask).convert('L')}). Immutable.
 */
public final class GreyImage {
    private final int width;
    private final int height;
    private final byte[] grey;

    GreyImage(int width, int height, byte[] grey) {
        this.width = width;
        this.height = height;
        this.grey = grey;
    }

    /**
     * A grey image from a raw 8-bit buffer of {@code width * height} bytes (copied).
     *
     * @throws ImageDecodeException ({@link Reason#RAW_SIZE_MISMATCH}) when the length does not match
     */
    public static GreyImage fromRaw(byte[] pixels, int width, int height) {
        Objects.requireNonNull(pixels, "pixels");
        RgbImage.checkRaw(pixels.length, "byte", width, height, 1);
        return new GreyImage(width, height, pixels.clone());
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Value of pixel (x, y), 0..255. */
    public int get(int x, int y) {
        Objects.checkIndex(x, width);
        Objects.checkIndex(y, height);
        return grey[y * width + x] & 0xff;
    }

    /** A copy of the pixel bytes. */
    public byte[] toByteArray() {
        return grey.clone();
    }

    byte[] data() {
        return grey;
    }

    @Override
    public String toString() {
        return "GreyImage[" + width + " x " + height + "]";
    }
}
