package org.mvfaedge.sdk.detect;

import org.mvfaedge.sdk.ImageInput;
import org.mvfaedge.sdk.RawImage;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.RgbImage;

/**
 * Turns any {@link ImageInput} into 8-bit RGB with the pixel limit checked before decoding (from
 * the file header, or the declared size of a raw buffer or AWT image).
 */
public final class InputDecoder {
    private final ImageDecoder decoder;

    public InputDecoder(long maxPixels) {
        this.decoder = new ImageDecoder(maxPixels);
    }

    public RgbImage decode(ImageInput input) {
        if (input instanceof ImageInput.File f) {
            return decoder.decode(f.path());
        }
        if (input instanceof ImageInput.Encoded e) {
            return decoder.decode(e.data());
        }
        if (input instanceof ImageInput.Buffered b) {
            return decoder.decode(b.image());
        }
        return raw(((ImageInput.Raw) input).raw());
    }

    private RgbImage raw(RawImage raw) {
        decoder.checkRawSize(raw.width(), raw.height());
        return raw.bitsPerSample() == 8 ? RgbImage.fromRaw(raw.bytes(), raw.width(), raw.height(), raw.channels())
                : RgbImage.fromRaw(raw.shorts(), raw.width(), raw.height(), raw.channels());
    }
}
