package org.mvfaedge.sdk.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;

import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mvfaedge.sdk.ImageDecodeException;
import org.mvfaedge.sdk.ImageDecodeException.Reason;
import org.mvfaedge.sdk.MvfaException;

/** Decoding of every supported format (written here with ImageIO) and refusal of bad input. */
class ImageDecoderTest {
    private static final int W = 5;
    private static final int H = 3;
    private final ImageDecoder decoder = new ImageDecoder();

    /** A colourful test pattern: every pixel and channel distinct. */
    private static int[] pattern(int x, int y) {
        return new int[] {(x * 50 + y * 7) % 256, (y * 80 + x * 3 + 11) % 256, (x * y * 13 + 200) % 256};
    }

    private static byte[] encode(BufferedImage img, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            assertTrue(ImageIO.write(img, format, out), "no ImageIO writer for " + format);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static BufferedImage rgbImage(int type) {
        BufferedImage img = new BufferedImage(W, H, type);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int[] p = pattern(x, y);
                if (type == BufferedImage.TYPE_4BYTE_ABGR) {
                    // Alpha 0 on the first column: its colour must survive (dropped, not composited).
                    r.setPixel(x, y, new int[] {p[0], p[1], p[2], x == 0 ? 0 : 40 * x});
                } else {
                    r.setPixel(x, y, p);
                }
            }
        }
        return img;
    }

    private static void assertPattern(RgbImage img, int tolerance) {
        assertEquals(W, img.width());
        assertEquals(H, img.height());
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int[] p = pattern(x, y);
                for (int c = 0; c < 3; c++) {
                    int d = Math.abs(img.get(x, y, c) - p[c]);
                    assertTrue(d <= tolerance, "pixel (" + x + "," + y + ") channel " + c + ": got "
                            + img.get(x, y, c) + ", wrote " + p[c]);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "bmp", "tiff"})
    void losslessRgbFormatsDecodeExactly(String format) {
        assertPattern(decoder.decode(encode(rgbImage(BufferedImage.TYPE_3BYTE_BGR), format)), 0);
    }

    @Test
    void rgbaPngDropsAlphaWithoutCompositing() {
        assertPattern(decoder.decode(encode(rgbImage(BufferedImage.TYPE_4BYTE_ABGR), "png")), 0);
    }

    @Test
    void greyPngIsReplicatedToRgbAndKeptRawForMasks() {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                img.getRaster().setSample(x, y, 0, x * 60 + y);
            }
        }
        byte[] png = encode(img, "png");
        RgbImage rgb = decoder.decode(png);
        GreyImage grey = decoder.decodeMask(png);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                // Raw samples: no linear-grey to sRGB gamma conversion (BufferedImage.getRGB would apply one).
                assertEquals(x * 60 + y, grey.get(x, y));
                for (int c = 0; c < 3; c++) {
                    assertEquals(x * 60 + y, rgb.get(x, y, c));
                }
            }
        }
    }

    @Test
    void greyAlphaPngDropsAlpha() {
        BufferedImage img = ImageTypeSpecifier.createGrayscale(8, java.awt.image.DataBuffer.TYPE_BYTE, true, false)
                .createBufferedImage(W, H);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                img.getRaster().setPixel(x, y, new int[] {x * 50 + y, x == 0 ? 0 : 99});
            }
        }
        RgbImage rgb = decoder.decode(encode(img, "png"));
        assertEquals(0 * 50 + 2, rgb.get(0, 2, 1));
        assertEquals(4 * 50 + 1, rgb.get(4, 1, 0));
    }

    @Test
    void palettePngIsExpanded() {
        byte[] r = {0, (byte) 255, 10, (byte) 128};
        byte[] g = {0, 0, 20, (byte) 129};
        byte[] b = {0, 0, 30, (byte) 130};
        IndexColorModel palette = new IndexColorModel(2, 4, r, g, b);
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_BINARY, palette);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                img.getRaster().setSample(x, y, 0, (x + y) % 4);
            }
        }
        byte[] png = encode(img, "png");
        RgbImage rgb = decoder.decode(png);
        GreyImage mask = decoder.decodeMask(png);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int i = (x + y) % 4;
                assertEquals(r[i] & 0xff, rgb.get(x, y, 0));
                assertEquals(g[i] & 0xff, rgb.get(x, y, 1));
                assertEquals(b[i] & 0xff, rgb.get(x, y, 2));
                // PIL's convert('L') of a palette pixel: ITU-R 601-2 luma in 16-bit fixed point.
                int luma = ((r[i] & 0xff) * 19595 + (g[i] & 0xff) * 38470 + (b[i] & 0xff) * 7471 + 0x8000) >> 16;
                assertEquals(luma, mask.get(x, y));
            }
        }
        assertEquals(76, mask.get(1, 0)); // pure red: 255 * 0.299 = 76.2
    }

    @Test
    void sixteenBitGreyPngIsRescaledNotClipped() {
        BufferedImage img = new BufferedImage(5, 1, BufferedImage.TYPE_USHORT_GRAY);
        int[] values = {0, 128, 129, 32768, 65535};
        for (int x = 0; x < values.length; x++) {
            img.getRaster().setSample(x, 0, 0, values[x]);
        }
        RgbImage rgb = decoder.decode(encode(img, "png"));
        // round(v * 255 / 65535) = round(v / 257): 128 -> 0.498 -> 0, 129 -> 0.502 -> 1, 32768 -> 127.5 -> 128
        int[] expected = {0, 0, 1, 128, 255};
        for (int x = 0; x < values.length; x++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(expected[x], rgb.get(x, 0, c), "value " + values[x]);
            }
        }
    }

    @Test
    void sixteenBitRgbPngIsRescaled() {
        BufferedImage img = ImageTypeSpecifier.createInterleaved(ColorSpace.getInstance(ColorSpace.CS_sRGB),
                new int[] {0, 1, 2}, java.awt.image.DataBuffer.TYPE_USHORT, false, false).createBufferedImage(2, 1);
        img.getRaster().setPixel(0, 0, new int[] {65535, 257 * 100, 0});
        img.getRaster().setPixel(1, 0, new int[] {1000, 2000, 3000});
        RgbImage rgb = decoder.decode(encode(img, "png"));
        assertArrayEquals(new int[] {255, 100, 0, 4, 8, 12}, PilResizeTest.unsigned(rgb.toByteArray()));
    }

    @Test
    void jpegDecodesApproximately() {
        // A smooth gradient so that JPEG's loss stays small.
        int w = 32;
        int h = 32;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x * 8) << 16 | (y * 8) << 8 | 128);
            }
        }
        RgbImage rgb = decoder.decode(encode(img, "jpg"));
        assertEquals(w, rgb.width());
        long total = 0;
        int max = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] want = {x * 8, y * 8, 128};
                for (int c = 0; c < 3; c++) {
                    int d = Math.abs(rgb.get(x, y, c) - want[c]);
                    total += d;
                    max = Math.max(max, d);
                }
            }
        }
        double mean = total / (3.0 * w * h);
        assertTrue(mean < 3 && max < 24, "JPEG round trip too far off: mean " + mean + ", max " + max);
    }

    @Test
    void decodesFromAPathLikeFromBytes(@TempDir Path dir) throws IOException {
        byte[] png = encode(rgbImage(BufferedImage.TYPE_3BYTE_BGR), "png");
        Path file = dir.resolve("scan.png");
        Files.write(file, png);
        assertArrayEquals(decoder.decode(png).toByteArray(), decoder.decode(file).toByteArray());
        assertPattern(decoder.decode(file), 0);
    }

    // ---- bad input ----

    private static ImageDecodeException refused(Reason reason, org.junit.jupiter.api.function.Executable call) {
        ImageDecodeException e = assertThrows(ImageDecodeException.class, call);
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e instanceof MvfaException);
        System.out.println("refused (" + reason + "): " + e.getMessage());
        return e;
    }

    @Test
    void emptyInputIsRefused(@TempDir Path dir) throws IOException {
        refused(Reason.EMPTY, () -> decoder.decode(new byte[0]));
        Path empty = Files.createFile(dir.resolve("empty.png"));
        ImageDecodeException e = refused(Reason.EMPTY, () -> decoder.decode(empty));
        assertTrue(e.getMessage().contains("empty.png"), e.getMessage());
    }

    @Test
    void missingFileIsRefused(@TempDir Path dir) {
        Path missing = dir.resolve("nope.png");
        ImageDecodeException e = refused(Reason.UNREADABLE, () -> decoder.decode(missing));
        assertTrue(e.getMessage().contains("nope.png"));
        refused(Reason.UNREADABLE, () -> decoder.decodeMask(dir));
    }

    @Test
    void truncatedPngIsCorrupt() {
        byte[] png = encode(noise(64, 48), "png");
        byte[] half = Arrays.copyOf(png, png.length / 2);
        ImageDecodeException e = refused(Reason.CORRUPT, () -> decoder.decode(half));
        assertTrue(e.getMessage().contains("PNG"), e.getMessage());
        // Cut inside the header: still a PNG signature, no readable size.
        refused(Reason.CORRUPT, () -> decoder.decode(Arrays.copyOf(png, 20)));
    }

    @Test
    void truncatedJpegIsCorrupt() {
        byte[] jpg = encode(noise(64, 48), "jpg");
        refused(Reason.CORRUPT, () -> decoder.decode(Arrays.copyOf(jpg, jpg.length / 2)));
    }

    @Test
    void randomBytesAreNotAnImage() {
        byte[] junk = new byte[1000];
        new Random(42).nextBytes(junk);
        junk[0] = 'x'; // make sure no format signature can match by chance
        refused(Reason.UNSUPPORTED_FORMAT, () -> decoder.decode(junk));
        refused(Reason.UNSUPPORTED_FORMAT,
                () -> decoder.decode("just some text, not an image".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void hugeDimensionsAreRefusedFromTheHeaderBeforeDecoding() {
        // A PNG whose IHDR claims 100000 x 90000 RGB, followed by an IDAT that is not even valid
        // zlib: decoding would fail differently (or exhaust memory), so TOO_LARGE proves the check
        // ran on the header alone.
        byte[] png = craftedPng(100_000, 90_000, new byte[] {1, 2, 3, 4});
        ImageDecodeException e = refused(Reason.TOO_LARGE, () -> decoder.decode(png));
        assertTrue(e.getMessage().contains("100000 x 90000 = 9.0e9 pixels, over the limit of 64000000; "
                + "resize it or raise maxPixels"), e.getMessage());
    }

    @Test
    void pixelLimitIsConfigurable() {
        byte[] png = encode(noise(10, 10), "png");
        refused(Reason.TOO_LARGE, () -> new ImageDecoder(99).decode(png));
        assertEquals(10, new ImageDecoder(100).decode(png).width());
        assertThrows(IllegalArgumentException.class, () -> new ImageDecoder(0));
    }

    @Test
    void rawBuffers() {
        byte[] grey = {0, 10, 20, 30, 40, 50};
        RgbImage fromGrey = RgbImage.fromRaw(grey, 3, 2, 1);
        assertEquals(50, fromGrey.get(2, 1, 0));
        assertEquals(50, fromGrey.get(2, 1, 2));
        RgbImage fromRgb = RgbImage.fromRaw(grey, 2, 1, 3);
        assertEquals(30, fromRgb.get(1, 0, 0));
        short[] wide = {(short) 65535, (short) 32768, 0};
        RgbImage fromShort = RgbImage.fromRaw(wide, 1, 1, 3);
        assertArrayEquals(new int[] {255, 128, 0}, PilResizeTest.unsigned(fromShort.toByteArray()));

        ImageDecodeException e = refused(Reason.RAW_SIZE_MISMATCH, () -> RgbImage.fromRaw(new byte[100], 10, 10, 3));
        assertTrue(e.getMessage().contains("holds 100 values but 10 x 10 x 3 channel(s) needs 300"), e.getMessage());
        refused(Reason.RAW_SIZE_MISMATCH, () -> RgbImage.fromRaw(new short[5], 2, 2, 1));
        refused(Reason.RAW_SIZE_MISMATCH, () -> RgbImage.fromRaw(new byte[8], 2, 2, 2));
        refused(Reason.RAW_SIZE_MISMATCH, () -> GreyImage.fromRaw(new byte[3], 2, 2));
        refused(Reason.RAW_SIZE_MISMATCH, () -> RgbImage.fromRaw(new byte[0], 0, 5, 1));
    }

    @Test
    void scientificRendering() {
        assertEquals("9.0e9", ImageDecoder.scientific(9_000_000_000L));
        assertEquals("6.4e7", ImageDecoder.scientific(64_000_001L));
        assertEquals("1.0e3", ImageDecoder.scientific(999L + 1));
        assertEquals("1.0e4", ImageDecoder.scientific(9_999L));
    }

    private static BufferedImage noise(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Random rnd = new Random(5);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rnd.nextInt(1 << 24));
            }
        }
        return img;
    }

    /** PNG signature, an IHDR for width x height 8-bit RGB with a correct CRC, one IDAT, IEND. */
    private static byte[] craftedPng(int width, int height, byte[] idat) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", idat);
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
