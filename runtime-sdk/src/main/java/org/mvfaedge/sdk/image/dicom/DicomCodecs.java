package org.mvfaedge.sdk.image.dicom;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

import org.mvfaedge.sdk.ImageDecodeException;
import org.mvfaedge.sdk.ImageDecodeException.Reason;

/**
 * The compressed transfer syntaxes: RLE Lossless by hand (PS3.5 annex G: a few lines, no library
 * offers it), the JPEG family through TwelveMonkeys' ImageIO JPEG reader (baseline, extended 12-bit,
 * lossless process 14), JPEG 2000 through jai-imageio's J2K reader. JPEG-LS has no decoder on Maven
 * Central and is refused with its UID.
 */
final class DicomCodecs {
    static final String RLE = "1.2.840.10008.1.2.5";
    static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
    static final String JPEG_EXTENDED = "1.2.840.10008.1.2.4.51";
    static final String JPEG_LOSSLESS = "1.2.840.10008.1.2.4.57";
    static final String JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70";
    static final String JPEG_LS = "1.2.840.10008.1.2.4.80";
    static final String JPEG_LS_NEAR = "1.2.840.10008.1.2.4.81";
    static final String J2K_LOSSLESS = "1.2.840.10008.1.2.4.90";
    static final String J2K = "1.2.840.10008.1.2.4.91";

    private DicomCodecs() {
    }

    static boolean native_(String ts) {
        return DicomParser.IMPLICIT_LE.equals(ts) || DicomParser.EXPLICIT_LE.equals(ts)
                || DicomParser.EXPLICIT_BE.equals(ts) || DicomParser.DEFLATED_LE.equals(ts);
    }

    static boolean lossy(String ts) {
        return JPEG_BASELINE.equals(ts) || JPEG_EXTENDED.equals(ts) || J2K.equals(ts) || JPEG_LS_NEAR.equals(ts);
    }

    static boolean jpeg(String ts) {
        return JPEG_BASELINE.equals(ts) || JPEG_EXTENDED.equals(ts) || JPEG_LOSSLESS.equals(ts)
                || JPEG_LOSSLESS_SV1.equals(ts);
    }

    static boolean j2k(String ts) {
        return J2K_LOSSLESS.equals(ts) || J2K.equals(ts);
    }

    static String name(String ts) {
        return switch (ts) {
            case DicomParser.IMPLICIT_LE -> "Implicit VR Little Endian";
            case DicomParser.EXPLICIT_LE -> "Explicit VR Little Endian";
            case DicomParser.DEFLATED_LE -> "Deflated Explicit VR Little Endian";
            case DicomParser.EXPLICIT_BE -> "Explicit VR Big Endian";
            case RLE -> "RLE Lossless";
            case JPEG_BASELINE -> "JPEG Baseline";
            case JPEG_EXTENDED -> "JPEG Extended";
            case JPEG_LOSSLESS -> "JPEG Lossless";
            case JPEG_LOSSLESS_SV1 -> "JPEG Lossless SV1";
            case JPEG_LS -> "JPEG-LS Lossless";
            case JPEG_LS_NEAR -> "JPEG-LS Near-Lossless";
            case J2K_LOSSLESS -> "JPEG 2000 Lossless";
            case J2K -> "JPEG 2000";
            default -> "transfer syntax";
        };
    }

    /**
     * RLE Lossless frame to bytes in "segment planes": segment k (sample s, byte b from the most
     * significant) holds {@code pixels} bytes at {@code out[k * pixels ..]}.
     */
    static byte[] rle(byte[] frame, int pixels, int segments, String source) {
        if (frame.length < 64) {
            throw new ImageDecodeException(Reason.CORRUPT, source + ": an RLE frame of " + frame.length
                    + " bytes has no complete 64-byte header (corrupt fragment)");
        }
        int n = (int) DicomParser.u32(frame, 0, false);
        if (n != segments) {
            throw new ImageDecodeException(Reason.CORRUPT, source + ": the RLE header declares " + n
                    + " segments where the pixel description needs " + segments + " (corrupt fragment)");
        }
        byte[] out = new byte[pixels * segments];
        for (int k = 0; k < segments; k++) {
            long start = DicomParser.u32(frame, 4 + 4 * k, false);
            long stop = k + 1 < segments ? DicomParser.u32(frame, 8 + 4 * k, false) : frame.length;
            if (start < 64 || stop > frame.length || stop < start) {
                throw new ImageDecodeException(Reason.CORRUPT, source + ": RLE segment " + (k + 1)
                        + " has offsets outside its frame (corrupt fragment)");
            }
            int o = k * pixels;
            int end = o + pixels;
            int p = (int) start;
            while (p < stop && o < end) {
                int c = frame[p++];
                if (c >= 0) {
                    int cnt = c + 1;
                    if (p + cnt > stop || o + cnt > end) {
                        throw new ImageDecodeException(Reason.CORRUPT, source + ": RLE segment " + (k + 1)
                                + " runs past its frame (corrupt fragment)");
                    }
                    System.arraycopy(frame, p, out, o, cnt);
                    p += cnt;
                    o += cnt;
                } else if (c != -128) {
                    int cnt = 1 - c;
                    if (p >= stop || o + cnt > end) {
                        throw new ImageDecodeException(Reason.CORRUPT, source + ": RLE segment " + (k + 1)
                                + " runs past its frame (corrupt fragment)");
                    }
                    byte v = frame[p++];
                    for (int i = 0; i < cnt; i++) {
                        out[o++] = v;
                    }
                }
            }
            if (o != end) {
                throw new ImageDecodeException(Reason.CORRUPT, source + ": RLE segment " + (k + 1) + " decodes to "
                        + (o - k * pixels) + " of " + pixels + " bytes (corrupt fragment)");
            }
        }
        return out;
    }

    /** A decoded codestream's samples: width x height x bands, interleaved, unsigned as the raster holds them. */
    record Decoded(int width, int height, int bands, int bits, int[] samples) {
    }

    static Decoded imageIo(byte[] stream, String ts, String source) {
        boolean j2k = j2k(ts);
        ImageReader reader = reader(j2k ? "jpeg2000" : "jpeg", j2k ? "jpeg2000" : "twelvemonkeys");
        if (reader == null) {
            throw new ImageDecodeException(Reason.UNSUPPORTED_FORMAT, source + ": no decoder for " + name(ts)
                    + " (" + ts + ") is on the class path");
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(stream))) {
            reader.setInput(in, true, true);
            Raster r;
            int bands;
            int bits;
            if (j2k) {
                BufferedImage img = reader.read(0);
                r = img.getRaster();
                bands = img.getColorModel().getNumColorComponents();
                bits = img.getColorModel().getComponentSize(0);
            } else {
                // The raster as coded, without the reader's colour conversion: the stored values of a
                // YBR_FULL(_422) image are YCbCr (what pydicom returns too); RGB is converted by the caller.
                r = reader.readRaster(0, null);
                bands = r.getNumBands();
                bits = r.getSampleModel().getSampleSize(0);
            }
            int w = r.getWidth();
            int h = r.getHeight();
            int[] all = r.getPixels(r.getMinX(), r.getMinY(), w, h, (int[]) null);
            int rb = r.getNumBands();
            int[] out;
            if (rb == bands) {
                out = all;
            } else {
                out = new int[w * h * bands];
                for (int i = 0, o = 0; i < w * h; i++) {
                    for (int b = 0; b < bands; b++) {
                        out[o++] = all[i * rb + b];
                    }
                }
            }
            return new Decoded(w, h, bands, bits, out);
        } catch (IOException | RuntimeException e) {
            String msg = String.valueOf(e.getMessage());
            if (j2k && msg.contains("Part I")) {
                throw new ImageDecodeException(Reason.UNSUPPORTED_FORMAT, source + ": the " + name(ts) + " (" + ts
                        + ") codestream declares capabilities beyond JPEG 2000 Part 1 (" + msg
                        + "), which is not supported; re-encode it or convert it to an uncompressed syntax", e);
            }
            throw new ImageDecodeException(Reason.CORRUPT, source + ": the " + name(ts) + " (" + ts
                    + ") frame cannot be decoded: " + msg + " (corrupt fragment, or a variant the decoder lacks)", e);
        } finally {
            reader.dispose();
        }
    }

    /** What the markers of a JPEG codestream say, as libjpeg reads them. */
    record JpegHeader(int sof, int precision, int shortAdobeAt, int shortAdobeLength) {
    }

    /**
     * Scans a JPEG codestream's markers up to the first scan: the frame type (SOFn), the sample
     * precision, and an Adobe APP14 segment too short to hold its fields (ImageIO's reader fails on one
     * that libjpeg skips; the caller drops it).
     */
    static JpegHeader jpegHeader(byte[] b, String source) {
        int p = 2;
        int sof = -1;
        int precision = 8;
        int shortAdobe = -1;
        int shortAdobeLen = 0;
        if (b.length < 4 || (b[0] & 0xff) != 0xFF || (b[1] & 0xff) != 0xD8) {
            throw new ImageDecodeException(Reason.CORRUPT, source + ": the JPEG fragment does not start with an SOI"
                    + " marker (corrupt fragment)");
        }
        while (p + 4 <= b.length) {
            if ((b[p] & 0xff) != 0xFF) {
                break;
            }
            int m = b[p + 1] & 0xff;
            if (m == 0xFF) {
                p++;
                continue;
            }
            int len = DicomParser.u16(b, p + 2, true);
            int seg = p + 4;
            if (m == 0xDA) {
                break;
            }
            if (m == 0xEE && len < 14) {
                shortAdobe = p;
                shortAdobeLen = 2 + len;
            } else if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC && seg < b.length) {
                sof = m;
                precision = b[seg] & 0xff;
            }
            p += 2 + len;
        }
        return new JpegHeader(sof, precision, shortAdobe, shortAdobeLen);
    }

    /** The reader for {@code format} whose class name contains {@code prefer}, else the first one. */
    private static ImageReader reader(String format, String prefer) {
        Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format);
        ImageReader first = null;
        while (it.hasNext()) {
            ImageReader r = it.next();
            if (r.getClass().getName().toLowerCase(java.util.Locale.ROOT).contains(prefer)) {
                if (first != null) {
                    first.dispose();
                }
                return r;
            }
            if (first == null) {
                first = r;
            } else {
                r.dispose();
            }
        }
        return first;
    }
}
