package org.mvfaedge.sdk.image;

import java.io.IOException;
import javax.imageio.stream.ImageInputStream;
import org.mvfaedge.sdk.ImageDecodeException;
import org.mvfaedge.sdk.ImageDecodeException.Reason;

/**
 * Checks a BMP header before the JDK's BMP reader decodes it. That reader allocates a buffer of the size the
 * header declares for the pixel data ({@code biSizeImage}) for compressed bitmaps and for bitmaps that embed a
 * JPEG or PNG, before reading a byte of it: a 100-byte file declaring 4 GB exhausts the heap, and the pixel
 * limit cannot see it (the BMP's own width and height are small). Found by fuzzing (ImageFuzzTest).
 */
final class BmpHeaderCheck {
    private static final int BI_JPEG = 4;
    private static final int BI_PNG = 5;

    private BmpHeaderCheck() {
    }

    /** Throws the typed refusal for a BMP whose header cannot be decoded safely; leaves the stream where it was. */
    static void check(ImageInputStream in, String source) {
        try {
            long length = in.length();
            in.mark();
            try {
                in.seek(0);
                byte[] head = new byte[38];
                int n = in.read(head);
                if (n < 38) {
                    return; // an OS/2 header or a truncated file: the reader's own checks apply
                }
                int dibSize = le32(head, 14);
                if (dibSize < 40) {
                    return; // BITMAPCOREHEADER: no compression field, no declared pixel data size
                }
                int compression = le32(head, 30);
                if (compression == BI_JPEG || compression == BI_PNG) {
                    throw new ImageDecodeException(Reason.UNSUPPORTED_FORMAT, source + " (bmp) embeds a "
                            + (compression == BI_PNG ? "PNG" : "JPEG") + " image, a BMP variant that is not"
                            + " supported; send the " + (compression == BI_PNG ? "PNG" : "JPEG") + " itself");
                }
                long declared = le32(head, 34) & 0xffffffffL;
                if (length >= 0 && declared > length) {
                    throw new ImageDecodeException(Reason.CORRUPT, source + " (bmp) declares " + declared
                            + " bytes of pixel data, but the file has " + length + "; the file is truncated or damaged");
                }
            } finally {
                in.reset();
            }
        } catch (IOException e) {
            throw new ImageDecodeException(Reason.CORRUPT, source + " (bmp) has an unreadable header: " + e.getMessage(), e);
        }
    }

    private static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }
}
