package org.mvfaedge.sdk.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.ImageDecodeException;

/**
 * Regression tests of the fuzzing findings in BMP decoding: headers that made the JDK's BMP reader allocate
 * what they declare (an out-of-memory error with a 152-byte file) are refused with a typed reason, under a heap
 * far larger than the file, and ordinary BMPs still decode to the same pixels as the PNG of the same image.
 */
class BmpHeaderCheckTest {
    private static byte[] seed(String name) throws Exception {
        try (InputStream in = BmpHeaderCheckTest.class.getResourceAsStream("/org/mvfaedge/sdk/fuzz/ImageFuzzTestInputs/decode/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void fuzzerFindingIsRefusedNotOutOfMemory() throws Exception {
        byte[] finding = seed("finding-bmp-embedded-png-size-oom.bmp");
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> new ImageDecoder().decode(finding));
        assertEquals(ImageDecodeException.Reason.UNSUPPORTED_FORMAT, e.reason(), e.getMessage());
        ImageDecodeException e2 = assertThrows(ImageDecodeException.class,
                () -> new ImageDecoder().decode(seed("bmp-embedded-png-huge.bmp")));
        assertEquals(ImageDecodeException.Reason.UNSUPPORTED_FORMAT, e2.reason());
    }

    @Test
    void rleBitmapDeclaringMorePixelDataThanTheFileIsCorrupt() {
        // BITMAPINFOHEADER, 4 x 4, 8 bits, BI_RLE8 (1), biSizeImage 0x7fffffff: the reader would allocate 2 GB
        ByteBuffer bb = ByteBuffer.allocate(14 + 40 + 1024 + 16).order(ByteOrder.LITTLE_ENDIAN);
        bb.put((byte) 'B').put((byte) 'M').putInt(bb.capacity()).putInt(0).putInt(14 + 40 + 1024);
        bb.putInt(40).putInt(4).putInt(4).putShort((short) 1).putShort((short) 8).putInt(1).putInt(0x7fffffff)
                .putInt(2835).putInt(2835).putInt(256).putInt(0);
        byte[] bmp = bb.array();
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> new ImageDecoder().decode(bmp));
        assertEquals(ImageDecodeException.Reason.CORRUPT, e.reason(), e.getMessage());
    }

    @Test
    void ordinaryBmpDecodesAsThePngOfTheSameImage() throws Exception {
        RgbImage bmp = new ImageDecoder().decode(seed("rgb8x6.bmp"));
        RgbImage png = new ImageDecoder().decode(seed("rgb8x6.png"));
        assertEquals(8, bmp.width());
        assertEquals(6, bmp.height());
        assertArrayEquals(png.toByteArray(), bmp.toByteArray());
    }
}
