package org.mvfaedge.sdk.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

import org.mvfaedge.sdk.ImageDecodeException;
import org.mvfaedge.sdk.ImageDecodeException.Reason;

/**
 * Decodes PNG (1 to 16-bit; grey, grey+alpha, RGB, RGBA, palette), JPEG, BMP and TIFF into 8-bit
 * pixels with the semantics of PIL's {@code Image.open(p).convert('RGB')} (images) and
 * {@code convert('L')} (masks), which is what the reference reads: alpha is dropped, not composited;
 * palettes are expanded; grey is replicated; embedded colour profiles are ignored (raw samples are
 * kept, as PIL does). 16-bit samples are rescaled (see {@link PixelDepth#from16}), a deliberate
 * divergence from PIL, which clips them.
 *
 * <p>The pixel limit is checked from the header before any pixel is decoded, so a small file that
 * claims enormous dimensions cannot exhaust memory. Instances are immutable and thread-safe.
 */
public final class ImageDecoder {
    /** Default pixel limit: 64 megapixels (an 8000 x 8000 scan). */
    public static final long DEFAULT_MAX_PIXELS = 64_000_000L;

    private final long maxPixels;

    /** A decoder with the default pixel limit. */
    public ImageDecoder() {
        this(DEFAULT_MAX_PIXELS);
    }

    /** A decoder that refuses images of more than {@code maxPixels} pixels (width x height). */
    public ImageDecoder(long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    public long maxPixels() {
        return maxPixels;
    }

    /** Decodes an image file to RGB. */
    public RgbImage decode(Path file) {
        return toRgb(decodeFile(file));
    }

    /** Decodes encoded image bytes (a whole PNG, JPEG, BMP or TIFF file) to RGB. */
    public RgbImage decode(byte[] data) {
        return toRgb(decodeBytes(data));
    }

    /**
     * Converts a decoded AWT image to RGB with the same rules as files (alpha dropped, palettes
     * expanded, grey replicated, 16-bit rescaled), after checking the pixel limit.
     */
    public RgbImage decode(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        String source = "BufferedImage (type " + image.getType() + ")";
        checkSize(image.getWidth(), image.getHeight(), source, "AWT");
        return toRgb(samples(image, source, "AWT"));
    }

    /**
     * Checks a raw buffer's declared size against the pixel limit (before any conversion);
     * non-positive sizes are left to the raw buffer checks of {@link RgbImage#fromRaw}.
     */
    public void checkRawSize(int width, int height) {
        if (width > 0 && height > 0 && (long) width * height > maxPixels) {
            checkSize(width, height, "raw image", "raw");
        }
    }

    /** Decodes a mask file to 8-bit grey, as {@code Image.open(mask).convert('L')}. */
    public GreyImage decodeMask(Path file) {
        return toGrey(decodeFile(file));
    }

    /** Decodes encoded mask bytes to 8-bit grey, as {@code Image.open(mask).convert('L')}. */
    public GreyImage decodeMask(byte[] data) {
        return toGrey(decodeBytes(data));
    }

    /** Decoded samples: 1 (grey) or 3 (RGB) interleaved channels of 8 bits. */
    private record Pixels(int width, int height, int channels, byte[] data) {
    }

    private static RgbImage toRgb(Pixels p) {
        if (p.channels == 3) {
            return new RgbImage(p.width, p.height, p.data);
        }
        return RgbImage.grey(p.width, p.height, p.data);
    }

    private static GreyImage toGrey(Pixels p) {
        if (p.channels == 1) {
            return new GreyImage(p.width, p.height, p.data);
        }
        byte[] grey = new byte[p.width * p.height];
        byte[] d = p.data;
        for (int i = 0, o = 0; i < grey.length; i++, o += 3) {
            grey[i] = (byte) PixelDepth.luma(d[o] & 0xff, d[o + 1] & 0xff, d[o + 2] & 0xff);
        }
        return new GreyImage(p.width, p.height, grey);
    }

    private Pixels decodeFile(Path file) {
        Objects.requireNonNull(file, "file");
        if (!Files.exists(file)) {
            throw new ImageDecodeException(Reason.UNREADABLE, "image file " + file + " does not exist; check the path");
        }
        if (!Files.isRegularFile(file)) {
            throw new ImageDecodeException(Reason.UNREADABLE, file + " is not a regular file; give the path of an image file");
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new ImageDecodeException(Reason.UNREADABLE, "cannot read image file " + file + ": " + e.getMessage(), e);
        }
        if (size == 0) {
            throw new ImageDecodeException(Reason.EMPTY, "image file " + file + " is empty (0 bytes); re-export or re-copy it");
        }
        try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
            return read(in, "image file " + file);
        } catch (IOException e) {
            throw new ImageDecodeException(Reason.UNREADABLE, "cannot read image file " + file + ": " + e.getMessage(), e);
        }
    }

    private Pixels decodeBytes(byte[] data) {
        Objects.requireNonNull(data, "data");
        if (data.length == 0) {
            throw new ImageDecodeException(Reason.EMPTY, "image data is empty (0 bytes); send the encoded file's bytes");
        }
        // A memory-cached stream: ImageIO.createImageInputStream may spill to a temporary file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            return read(in, "image data (" + data.length + " bytes)");
        } catch (IOException e) {
            throw new ImageDecodeException(Reason.CORRUPT, "cannot read image data: " + e.getMessage(), e);
        }
    }

    private Pixels read(ImageInputStream in, String source) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new ImageDecodeException(Reason.UNSUPPORTED_FORMAT, source
                    + " is not in a supported format (PNG, JPEG, BMP, TIFF): its first bytes match none;"
                    + " check that it is an image and not damaged");
        }
        ImageReader reader = preferJdk(readers);
        String format = formatName(reader);
        List<String> warnings = new ArrayList<>();
        IIOReadWarningListener listener = (r, warning) -> warnings.add(warning);
        try {
            reader.setInput(in, true, true);
            reader.addIIOReadWarningListener(listener);
            int width;
            int height;
            try {
                width = reader.getWidth(0);
                height = reader.getHeight(0);
            } catch (IOException | RuntimeException e) {
                throw new ImageDecodeException(Reason.CORRUPT, source + " (" + format
                        + ") has an unreadable header: " + e.getMessage() + "; the file is truncated or damaged", e);
            }
            checkSize(width, height, source, format);
            if ("bmp".equalsIgnoreCase(format)) {
                BmpHeaderCheck.check(in, source);
            }
            BufferedImage image;
            try {
                image = reader.read(0);
            } catch (IIOException e) {
                String msg = String.valueOf(e.getMessage());
                if (msg.toLowerCase(Locale.ROOT).contains("unsupported")) {
                    throw new ImageDecodeException(Reason.UNSUPPORTED_FORMAT, source + " (" + format
                            + ") uses a variant the decoder does not support (" + msg
                            + "); convert it to 8-bit RGB or grey PNG", e);
                }
                throw new ImageDecodeException(Reason.CORRUPT, source + " (" + format + ") cannot be decoded: "
                        + describe(e) + "; the file is truncated or damaged", e);
            } catch (IOException | RuntimeException e) {
                throw new ImageDecodeException(Reason.CORRUPT, source + " (" + format + ") cannot be decoded: "
                        + describe(e) + "; the file is truncated or damaged", e);
            }
            for (String w : warnings) {
                // Like PIL (without LOAD_TRUNCATED_IMAGES): a JPEG that ends early is an error, not a
                // grey-filled image. Other libjpeg warnings (extraneous bytes) are benign, as in PIL.
                if (w.toLowerCase(Locale.ROOT).contains("premature end")) {
                    throw new ImageDecodeException(Reason.CORRUPT, source + " (" + format + ") is truncated ("
                            + w + "); re-export or re-copy it");
                }
            }
            return samples(image, source, format);
        } finally {
            reader.removeIIOReadWarningListener(listener);
            reader.dispose();
        }
    }

    private void checkSize(int width, int height, String source, String format) {
        if (width <= 0 || height <= 0) {
            throw new ImageDecodeException(Reason.CORRUPT, source + " (" + format + ") declares a size of "
                    + width + " x " + height + "; the header is damaged");
        }
        long pixels = (long) width * height;
        if (pixels > maxPixels) {
            throw new ImageDecodeException(Reason.TOO_LARGE, source + ": image is " + width + " x " + height
                    + " = " + scientific(pixels) + " pixels, over the limit of " + maxPixels
                    + "; resize it or raise maxPixels");
        }
    }

    /** Raw 8-bit samples of a decoded image, PIL style (no colour management, alpha dropped). */
    private static Pixels samples(BufferedImage image, String source, String format) {
        int w = image.getWidth();
        int h = image.getHeight();
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm instanceof IndexColorModel icm) {
            // Palette (also Java's form of 1, 2 and 4-bit grey PNGs): expand, ignoring palette alpha.
            byte[] out = new byte[w * h * 3];
            int[] row = new int[w];
            int o = 0;
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int i = row[x];
                    out[o++] = (byte) icm.getRed(i);
                    out[o++] = (byte) icm.getGreen(i);
                    out[o++] = (byte) icm.getBlue(i);
                }
            }
            return new Pixels(w, h, 3, out);
        }
        if (cm instanceof ComponentColorModel) {
            int dataType = raster.getDataBuffer().getDataType();
            if (dataType == DataBuffer.TYPE_FLOAT || dataType == DataBuffer.TYPE_DOUBLE) {
                throw new ImageDecodeException(Reason.UNSUPPORTED_FORMAT, source + " (" + format
                        + ") holds floating-point samples; convert it to an 8 or 16-bit integer image");
            }
            int spaceType = cm.getColorSpace().getType();
            int colours = cm.getNumColorComponents();
            int channels;
            if (spaceType == ColorSpace.TYPE_GRAY && colours == 1) {
                channels = 1;
            } else if (spaceType == ColorSpace.TYPE_RGB && colours == 3) {
                channels = 3;
            } else {
                throw new ImageDecodeException(Reason.UNSUPPORTED_FORMAT, source + " (" + format + ") has "
                        + colours + " colour components in a colour space of type " + spaceType
                        + " (e.g. CMYK); convert it to RGB or grey");
            }
            int bands = raster.getNumBands();
            int bits = cm.getComponentSize(0);
            if (bits < 1 || bits > 16) {
                // 32-bit integer samples (TIFF 'I' images) have no agreed mapping to 8 bits.
                throw new ImageDecodeException(Reason.UNSUPPORTED_FORMAT, source + " (" + format + ") has "
                        + bits + "-bit samples; only 1 to 16 bits per sample are supported, convert it to 8 or 16-bit");
            }
            byte[] out = new byte[w * h * channels];
            if (bits == 8 && interleavedBytes(raster, out, channels)) {
                return new Pixels(w, h, channels, out);
            }
            int[] row = new int[w * bands];
            int o = 0;
            for (int y = 0; y < h; y++) {
                raster.getPixels(0, y, w, 1, row);
                for (int x = 0, i = 0; x < w; x++, i += bands) {
                    for (int c = 0; c < channels; c++) {
                        // Colour bands come first; an alpha band, if any, is last and is dropped.
                        out[o++] = (byte) PixelDepth.fromBits(row[i + c], bits);
                    }
                }
            }
            return new Pixels(w, h, channels, out);
        }
        // Packed pixels (BMP 16/32-bit, TYPE_INT_RGB): the colour model scales each field to 8 bits.
        byte[] out = new byte[w * h * 3];
        int[] argb = new int[w];
        int o = 0;
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, argb, 0, w);
            for (int x = 0; x < w; x++) {
                int p = argb[x];
                out[o++] = (byte) (p >> 16);
                out[o++] = (byte) (p >> 8);
                out[o++] = (byte) p;
            }
        }
        return new Pixels(w, h, 3, out);
    }

    /**
     * Fast path for the common case (8-bit PNG, JPEG, BMP, TIFF as ImageIO returns them): copies the
     * colour bands straight from the byte array, skipping the per-sample virtual calls of
     * {@code Raster.getPixels}. Returns false, leaving {@code out} untouched, for any other layout.
     */
    private static boolean interleavedBytes(Raster raster, byte[] out, int channels) {
        if (!(raster.getSampleModel() instanceof PixelInterleavedSampleModel sm)
                || !(raster.getDataBuffer() instanceof DataBufferByte buffer) || buffer.getNumBanks() != 1) {
            return false;
        }
        byte[] data = buffer.getData();
        int pixelStride = sm.getPixelStride();
        int scanStride = sm.getScanlineStride();
        int[] bandOffsets = sm.getBandOffsets();
        int origin = buffer.getOffset() - raster.getSampleModelTranslateY() * scanStride
                - raster.getSampleModelTranslateX() * pixelStride;
        int w = raster.getWidth();
        int h = raster.getHeight();
        int o = 0;
        for (int y = 0; y < h; y++) {
            int p = origin + y * scanStride;
            for (int x = 0; x < w; x++, p += pixelStride) {
                for (int c = 0; c < channels; c++) {
                    out[o++] = data[p + bandOffsets[c]];
                }
            }
        }
        return true;
    }

    private static String formatName(ImageReader reader) {
        try {
            return reader.getFormatName().toUpperCase(Locale.ROOT);
        } catch (IOException e) {
            return reader.getOriginatingProvider() == null ? "image" : reader.getOriginatingProvider().getDescription(Locale.ROOT);
        }
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        Throwable c = e.getCause();
        if (c != null && c != e) {
            sb.append(" (").append(c.getClass().getSimpleName());
            if (c.getMessage() != null) {
                sb.append(": ").append(c.getMessage());
            }
            sb.append(')');
        }
        return sb.toString();
    }

    /** {@code 9.0e9}-style rendering for the size message. */
    static String scientific(long v) {
        int exp = (int) Math.floor(Math.log10(v));
        double mant = v / Math.pow(10, exp);
        String m = String.format(Locale.ROOT, "%.1f", mant);
        if (m.equals("10.0")) {
            m = "1.0";
            exp++;
        }
        return m + "e" + exp;
    }

    /**
     * The JDK's own reader for the format where there is one. The DICOM codecs (TwelveMonkeys JPEG,
     * jai-imageio's JPEG 2000 and the jai-imageio-core it pulls in, with BMP/TIFF/PNM readers) register
     * with ImageIO for the whole JVM; ordinary image files keep the JDK decoders this class was written,
     * checked against PIL and fuzzed with (jai's BMP RLE reader, for one, allocates whatever a header claims).
     */
    private static ImageReader preferJdk(Iterator<ImageReader> readers) {
        ImageReader first = readers.next();
        if (first.getClass().getName().startsWith("com.sun.imageio.")) {
            return first;
        }
        while (readers.hasNext()) {
            ImageReader r = readers.next();
            if (r.getClass().getName().startsWith("com.sun.imageio.")) {
                first.dispose();
                return r;
            }
            r.dispose();
        }
        return first;
    }
}
