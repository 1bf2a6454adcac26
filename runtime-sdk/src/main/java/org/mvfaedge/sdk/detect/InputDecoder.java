package org.mvfaedge.sdk.detect;

import org.mvfaedge.sdk.ImageInput;
import org.mvfaedge.sdk.RawImage;
import org.mvfaedge.sdk.ImageDecodeException;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.RgbImage;
import org.mvfaedge.sdk.image.dicom.DicomImage;
import org.mvfaedge.sdk.image.dicom.DicomRendering;
import org.mvfaedge.sdk.image.dicom.DicomWindow;

/**
 * Turns any {@link ImageInput} into 8-bit RGB with the pixel limit checked before decoding (from
 * the file header, or the declared size of a raw buffer or AWT image).
 */
public final class InputDecoder {
    private final ImageDecoder decoder;
    private final DicomWindow dicomWindow;

    public InputDecoder(long maxPixels) {
        this(maxPixels, DicomWindow.FILE);
    }

    /** {@code dicomWindow}: how DICOM files and bytes are rendered (the package's {@code dicom} section). */
    public InputDecoder(long maxPixels, DicomWindow dicomWindow) {
        this.decoder = new ImageDecoder(maxPixels);
        this.dicomWindow = dicomWindow;
    }

    public RgbImage decode(ImageInput input) {
        if (input instanceof ImageInput.File f) {
            if (DicomImage.isDicom(f.path())) {
                return dicom(DicomImage.read(f.path(), decoder.maxPixels()));
            }
            return decoder.decode(f.path());
        }
        if (input instanceof ImageInput.Encoded e) {
            if (DicomImage.isDicom(e.data())) {
                return dicom(DicomImage.read(e.data(), decoder.maxPixels()));
            }
            return decoder.decode(e.data());
        }
        if (input instanceof ImageInput.Dicom d) {
            return DicomRendering.render(d.image(), d.frame(), d.window() != null ? d.window() : dicomWindow)
                    .toRgbImage();
        }
        if (input instanceof ImageInput.Buffered b) {
            return decoder.decode(b.image());
        }
        return raw(((ImageInput.Raw) input).raw());
    }

    /** A DICOM given as a plain file or bytes: one image, so only a single frame is taken silently. */
    private RgbImage dicom(DicomImage img) {
        if (img.frameCount() != 1) {
            throw new ImageDecodeException(ImageDecodeException.Reason.UNSUPPORTED_FORMAT, "the DICOM image has "
                    + img.frameCount() + " frames; score it with DicomDetector (one result per frame) or pass"
                    + " ImageInput.Dicom with a frame number");
        }
        return DicomRendering.render(img, 1, dicomWindow).toRgbImage();
    }

    private RgbImage raw(RawImage raw) {
        decoder.checkRawSize(raw.width(), raw.height());
        return raw.bitsPerSample() == 8 ? RgbImage.fromRaw(raw.bytes(), raw.width(), raw.height(), raw.channels())
                : RgbImage.fromRaw(raw.shorts(), raw.width(), raw.height(), raw.channels());
    }
}
