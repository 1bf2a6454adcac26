package org.mvfaedge.sdk;

import java.util.Objects;

/**
 * An uncompressed pixel buffer as a scanner pipeline hands it over: grey or interleaved RGB, 8 or
 * 16 bits per sample, rows top to bottom without padding. The buffer is not copied here; its length
 * is checked against width x height x channels when it is detected (a mismatch is an
 * {@link ImageDecodeException} with reason {@code RAW_SIZE_MISMATCH}). 16-bit samples (0..65535 in
 * Java's signed shorts) are rescaled to 8 bits as {@code round(v * 255 / 65535)}.
 */
public final class RawImage {
    private final int width;
    private final int height;
    private final int channels;
    private final byte[] bytes;
    private final short[] shorts;

    private RawImage(int width, int height, int channels, byte[] bytes, short[] shorts) {
        this.width = width;
        this.height = height;
        this.channels = channels;
        this.bytes = bytes;
        this.shorts = shorts;
    }

    /** 8-bit grey, {@code width * height} bytes. */
    public static RawImage grey8(byte[] pixels, int width, int height) {
        return new RawImage(width, height, 1, Objects.requireNonNull(pixels, "pixels"), null);
    }

    /** 8-bit interleaved RGB, {@code width * height * 3} bytes. */
    public static RawImage rgb8(byte[] pixels, int width, int height) {
        return new RawImage(width, height, 3, Objects.requireNonNull(pixels, "pixels"), null);
    }

    /** 16-bit grey, {@code width * height} shorts. */
    public static RawImage grey16(short[] pixels, int width, int height) {
        return new RawImage(width, height, 1, null, Objects.requireNonNull(pixels, "pixels"));
    }

    /** 16-bit interleaved RGB, {@code width * height * 3} shorts. */
    public static RawImage rgb16(short[] pixels, int width, int height) {
        return new RawImage(width, height, 3, null, Objects.requireNonNull(pixels, "pixels"));
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** 1 (grey) or 3 (RGB). */
    public int channels() {
        return channels;
    }

    /** 8 or 16. */
    public int bitsPerSample() {
        return bytes != null ? 8 : 16;
    }

    /** The 8-bit buffer (not a copy), or null for 16-bit images. */
    public byte[] bytes() {
        return bytes;
    }

    /** The 16-bit buffer (not a copy), or null for 8-bit images. */
    public short[] shorts() {
        return shorts;
    }

    @Override
    public String toString() {
        return "RawImage[" + width + " x " + height + ", " + channels + " channel(s), " + bitsPerSample() + "-bit]";
    }
}
