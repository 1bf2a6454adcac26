package org.mvfaedge.sdk.image.dicom;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.mvfaedge.sdk.ImageDecodeException;
import org.mvfaedge.sdk.ImageDecodeException.Reason;

/**
 * A DICOM image (Part 10 file or bare data set) with its frames: the image pixel module checked
 * against the pixel limit from the header, before any pixel is decoded; frames decoded one at a time
 * to their stored values ({@link #stored}); per-frame rendering attributes resolved from the enhanced
 * multi-frame functional groups ({@link #frameAttributes}); the identity a result carries
 * ({@link #info}). Messages name attributes by tag, never by value (values can be patient data).
 */
public final class DicomImage {
    /** Largest file read into memory: a DICOM file is parsed as a whole. */
    public static final long MAX_FILE_BYTES = 1L << 30;
    private static final Set<String> PHOTOMETRICS = Set.of("MONOCHROME1", "MONOCHROME2", "RGB", "YBR_FULL",
            "YBR_FULL_422", "PALETTE COLOR", "YBR_RCT", "YBR_ICT");

    private final String source;
    private final DicomObject meta;
    private final DicomObject ds;
    private final String ts;
    private final int rows;
    private final int cols;
    private final int spp;
    private final int bitsAllocated;
    private final int bitsStored;
    private final boolean signed;
    private final int planar;
    private final int frames;
    private final String photometric;
    private final DicomObject.Element pixelData;

    private DicomImage(String source, DicomParser.Parsed parsed, long maxPixels) {
        this.source = source;
        this.meta = parsed.meta();
        this.ds = parsed.dataset();
        this.ts = parsed.transferSyntax();
        if (ds.contains(Tags.FLOAT_PIXEL_DATA) || ds.contains(Tags.DOUBLE_PIXEL_DATA)) {
            throw new ImageDecodeException(Reason.UNSUPPORTED_FORMAT, source
                    + " holds floating-point pixel data (7FE0,0008/0009); only integer Pixel Data (7FE0,0010) is supported");
        }
        this.pixelData = ds.get(Tags.PIXEL_DATA);
        if (pixelData == null) {
            throw new ImageDecodeException(Reason.UNSUPPORTED_FORMAT, source
                    + " has no Pixel Data (7FE0,0010): it is not an image (a report, structure set or plan?);"
                    + " send an image object");
        }
        this.rows = (int) Math.min(Integer.MAX_VALUE, ds.integer(Tags.ROWS, 0));
        this.cols = (int) Math.min(Integer.MAX_VALUE, ds.integer(Tags.COLUMNS, 0));
        if (rows <= 0 || cols <= 0) {
            throw new ImageDecodeException(Reason.CORRUPT, source + " has no valid Rows (0028,0010) / Columns"
                    + " (0028,0011); the header is damaged");
        }
        long pixels = (long) rows * cols;
        if (pixels > maxPixels) {
            throw new ImageDecodeException(Reason.TOO_LARGE, source + ": the header declares " + cols + " x " + rows
                    + " = " + pixels + " pixels per frame, over the limit of " + maxPixels
                    + "; refused before decoding (raise maxPixels if the image is real)");
        }
        this.spp = (int) ds.integer(Tags.SAMPLES_PER_PIXEL, 1);
        this.bitsAllocated = (int) ds.integer(Tags.BITS_ALLOCATED, 0);
        this.bitsStored = (int) ds.integer(Tags.BITS_STORED, bitsAllocated);
        this.signed = ds.integer(Tags.PIXEL_REPRESENTATION, 0) == 1;
        this.planar = (int) ds.integer(Tags.PLANAR_CONFIGURATION, 0);
        long nf = ds.integer(Tags.NUMBER_OF_FRAMES, 1);
        this.frames = (int) Math.max(1, Math.min(nf, Integer.MAX_VALUE));
        String pi = ds.string(Tags.PHOTOMETRIC);
        this.photometric = pi == null ? (spp == 1 ? "MONOCHROME2" : "RGB") : pi;
        if (spp != 1 && spp != 3) {
            throw unsupported("has " + spp + " samples per pixel (0028,0002); 1 (grey) or 3 (colour) are supported");
        }
        if (bitsAllocated != 1 && bitsAllocated != 8 && bitsAllocated != 16) {
            throw unsupported("has Bits Allocated (0028,0100) " + bitsAllocated + "; 1, 8 and 16 are supported");
        }
        if (bitsStored < 1 || bitsStored > bitsAllocated) {
            throw new ImageDecodeException(Reason.CORRUPT, source + " has Bits Stored (0028,0101) " + bitsStored
                    + " with Bits Allocated " + bitsAllocated + "; the header is damaged");
        }
        if (!PHOTOMETRICS.contains(photometric)) {
            throw unsupported("has Photometric Interpretation (0028,0004) " + photometric + "; supported: "
                    + "MONOCHROME1, MONOCHROME2, RGB, YBR_FULL, YBR_FULL_422, PALETTE COLOR (YBR_RCT/YBR_ICT in JPEG 2000)");
        }
        if ((spp == 1) != (photometric.startsWith("MONO") || photometric.equals("PALETTE COLOR"))) {
            throw new ImageDecodeException(Reason.CORRUPT, source + " has " + spp + " samples per pixel with "
                    + photometric + "; the header is damaged");
        }
        if (DicomCodecs.JPEG_LS.equals(ts) || DicomCodecs.JPEG_LS_NEAR.equals(ts)) {
            throw unsupported("is compressed with " + DicomCodecs.name(ts) + " (transfer syntax " + ts
                    + "), which this build cannot decode (no JPEG-LS decoder exists on Maven Central);"
                    + " convert it first, e.g. gdcmconv --raw or dcmdjpls");
        }
        boolean known = DicomCodecs.native_(ts) || DicomCodecs.RLE.equals(ts) || DicomCodecs.jpeg(ts)
                || DicomCodecs.j2k(ts);
        if (!known) {
            throw unsupported("uses transfer syntax " + ts + ", which is not supported (supported: implicit/explicit"
                    + " VR little endian, deflated, explicit VR big endian, RLE, JPEG baseline/extended/lossless,"
                    + " JPEG 2000)");
        }
        if (pixelData.encapsulated() == DicomCodecs.native_(ts)) {
            throw new ImageDecodeException(Reason.CORRUPT, source + ": its Pixel Data is "
                    + (pixelData.encapsulated() ? "encapsulated" : "native") + " but the transfer syntax " + ts
                    + " says otherwise; the file is damaged");
        }
        if (!pixelData.encapsulated()) {
            checkNativeLength();
        } else if (pixelData.fragments().size() < 2) {
            throw new ImageDecodeException(Reason.CORRUPT, source + ": its encapsulated Pixel Data holds no fragment"
                    + " (truncated)");
        }
    }

    private ImageDecodeException unsupported(String what) {
        return new ImageDecodeException(Reason.UNSUPPORTED_FORMAT, source + " " + what);
    }

    /** Reads a DICOM file. */
    public static DicomImage read(Path file, long maxPixels) {
        Objects.requireNonNull(file, "file");
        String source = "DICOM file " + file;
        byte[] data;
        try {
            if (!Files.isRegularFile(file)) {
                throw new ImageDecodeException(Reason.UNREADABLE, source + " does not exist or is not a regular file");
            }
            long size = Files.size(file);
            if (size == 0) {
                throw new ImageDecodeException(Reason.EMPTY, source + " is empty (0 bytes); re-export or re-copy it");
            }
            if (size > MAX_FILE_BYTES) {
                throw new ImageDecodeException(Reason.TOO_LARGE, source + " is " + size + " bytes, over the "
                        + MAX_FILE_BYTES + "-byte limit of one DICOM file");
            }
            data = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ImageDecodeException(Reason.UNREADABLE, "cannot read " + source + ": " + e.getMessage(), e);
        }
        return parse(data, source, maxPixels);
    }

    /** Reads the bytes of a DICOM file. */
    public static DicomImage read(byte[] data, long maxPixels) {
        Objects.requireNonNull(data, "data");
        if (data.length == 0) {
            throw new ImageDecodeException(Reason.EMPTY, "DICOM data is empty (0 bytes)");
        }
        return parse(data, "DICOM data (" + data.length + " bytes)", maxPixels);
    }

    private static DicomImage parse(byte[] data, String source, long maxPixels) {
        // inflation bounded by the pixel limit: 16-bit RGB frames of the largest size, plus headers
        long maxInflated = Math.min(MAX_FILE_BYTES, Math.max(64L << 20, maxPixels * 6 + (1 << 20)));
        return new DicomImage(source, new DicomParser(source, maxInflated).parse(data), maxPixels);
    }

    /** Whether these bytes (the start of a file will do, 132 bytes or more) look like DICOM. */
    public static boolean isDicom(byte[] head) {
        return DicomParser.looksLikeDicom(head, head.length);
    }

    /** Whether the file starts like DICOM (reads its first 132 bytes). */
    public static boolean isDicom(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return isDicom(in.readNBytes(132));
        } catch (IOException e) {
            return false;
        }
    }

    public int width() {
        return cols;
    }

    public int height() {
        return rows;
    }

    public int frameCount() {
        return frames;
    }

    public int samplesPerPixel() {
        return spp;
    }

    public String photometric() {
        return photometric;
    }

    public String transferSyntax() {
        return ts;
    }

    public int bitsStored() {
        return bitsStored;
    }

    public boolean signed() {
        return signed;
    }

    /** Whether the transfer syntax is lossy (JPEG baseline/extended, JPEG 2000). */
    public boolean lossy() {
        return DicomCodecs.lossy(ts);
    }

    DicomObject dataset() {
        return ds;
    }

    String source() {
        return source;
    }

    /** The identity of frame {@code frame} (from 1) for a result. */
    public DicomInfo info(int frame) {
        checkFrame(frame);
        double[] sp = frameAttributes(frame).pixelSpacing();
        return new DicomInfo(ds.string(Tags.SOP_INSTANCE_UID), ds.string(Tags.SERIES_INSTANCE_UID),
                ds.string(Tags.STUDY_INSTANCE_UID), frame, sp);
    }

    private void checkFrame(int frame) {
        if (frame < 1 || frame > frames) {
            throw new IllegalArgumentException("frame " + frame + " is outside 1.." + frames);
        }
    }

    /** What rendering needs of one frame (from 1): enhanced functional groups first, then the top level. */
    public FrameAttributes frameAttributes(int frame) {
        checkFrame(frame);
        DicomObject pvt = group(frame, Tags.PIXEL_VALUE_TRANSFORMATION_SEQUENCE);
        DicomObject voi = group(frame, Tags.FRAME_VOI_LUT_SEQUENCE);
        DicomObject measures = group(frame, Tags.PIXEL_MEASURES_SEQUENCE);
        DicomObject r = pvt != null ? pvt : ds;
        DicomObject v = voi != null ? voi : ds;
        DicomObject m = measures != null ? measures : ds;
        double[] spacing = m.decimals(Tags.PIXEL_SPACING);
        if (spacing != null && (spacing.length != 2 || !(spacing[0] > 0) || !(spacing[1] > 0))) {
            spacing = null;
        }
        double[] c = v.decimals(Tags.WINDOW_CENTER);
        double[] w = v.decimals(Tags.WINDOW_WIDTH);
        Double center = null;
        Double width = null;
        if (c != null && w != null && c.length > 0 && w.length > 0 && w[0] >= 1) {
            center = c[0];
            width = w[0];
        }
        String fn = v.string(Tags.VOI_LUT_FUNCTION);
        return new FrameAttributes(r.decimal(Tags.RESCALE_SLOPE, 1), r.decimal(Tags.RESCALE_INTERCEPT, 0),
                modalityLut(), center, width, fn == null ? "LINEAR" : fn, spacing);
    }

    private DicomObject group(int frame, int seq) {
        List<DicomObject> per = ds.sequence(Tags.PER_FRAME_FUNCTIONAL_GROUPS);
        if (frame - 1 < per.size()) {
            DicomObject g = per.get(frame - 1).item(seq);
            if (g != null) {
                return g;
            }
        }
        DicomObject shared = ds.item(Tags.SHARED_FUNCTIONAL_GROUPS);
        return shared == null ? null : shared.item(seq);
    }

    /** The Modality LUT Sequence's LUT, or null when rescale applies. */
    private Lut modalityLut() {
        DicomObject item = ds.item(Tags.MODALITY_LUT_SEQUENCE);
        return item == null ? null : Lut.of(item.get(Tags.LUT_DESCRIPTOR), item.get(Tags.LUT_DATA), source, "Modality LUT");
    }

    /** The palette for PALETTE COLOR: red, green, blue. */
    Lut[] palette() {
        if (ds.contains(Tags.SEGMENTED_RED_DATA) && !ds.contains(Tags.RED_DATA)) {
            throw unsupported("uses a segmented palette (0028,1221); only plain palette LUT data is supported");
        }
        return new Lut[] {Lut.of(ds.get(Tags.RED_DESCRIPTOR), ds.get(Tags.RED_DATA), source, "red palette"),
            Lut.of(ds.get(Tags.GREEN_DESCRIPTOR), ds.get(Tags.GREEN_DATA), source, "green palette"),
            Lut.of(ds.get(Tags.BLUE_DESCRIPTOR), ds.get(Tags.BLUE_DATA), source, "blue palette")};
    }

    private long frameBytes() {
        long px = (long) rows * cols;
        if (bitsAllocated == 1) {
            return -1;
        }
        long per = bitsAllocated / 8;
        return "YBR_FULL_422".equals(photometric) ? px * 2 * per : px * spp * per;
    }

    private void checkNativeLength() {
        long need = bitsAllocated == 1 ? ((long) rows * cols * spp * frames + 7) / 8 : frameBytes() * frames;
        if (pixelData.len() < need) {
            throw new ImageDecodeException(Reason.CORRUPT, source + ": its Pixel Data holds " + pixelData.len()
                    + " bytes but " + frames + " frame(s) of " + cols + " x " + rows + " x " + spp + " samples of "
                    + bitsAllocated + " bits need " + need + " (truncated)");
        }
    }

    /** Frame {@code frame} (from 1) decoded to its stored values. */
    public StoredFrame stored(int frame) {
        checkFrame(frame);
        if (!pixelData.encapsulated()) {
            return nativeFrame(frame - 1);
        }
        byte[] stream = frameStream(frame - 1);
        int pixels = rows * cols;
        if (DicomCodecs.RLE.equals(ts)) {
            int bytesPer = bitsAllocated == 1 ? 1 : bitsAllocated / 8;
            byte[] planes = DicomCodecs.rle(stream, pixels, spp * bytesPer, source + " frame " + frame);
            int[] out = new int[pixels * spp];
            for (int s = 0; s < spp; s++) {
                for (int i = 0; i < pixels; i++) {
                    int v = 0;
                    for (int b = 0; b < bytesPer; b++) {
                        v = (v << 8) | (planes[(s * bytesPer + b) * pixels + i] & 0xff);
                    }
                    out[i * spp + s] = fix(v);
                }
            }
            return new StoredFrame(cols, rows, spp, photometric, bitsStored, signed, out);
        }
        DicomCodecs.JpegHeader jh = null;
        if (DicomCodecs.jpeg(ts)) {
            jh = DicomCodecs.jpegHeader(stream, source + " frame " + frame);
            if (jh.precision() > 8 && jh.sof() != 0xC3) {
                throw unsupported("frame " + frame + " is a " + jh.precision() + "-bit lossy JPEG (" + DicomCodecs.name(ts)
                        + ", transfer syntax " + ts + "), which is not supported: no pure-Java decoder reads 12-bit"
                        + " DCT JPEG; convert it first, e.g. gdcmconv --raw or dcmdjpeg");
            }
            if (jh.shortAdobeAt() >= 0) {
                byte[] fixed = new byte[stream.length - jh.shortAdobeLength()];
                System.arraycopy(stream, 0, fixed, 0, jh.shortAdobeAt());
                System.arraycopy(stream, jh.shortAdobeAt() + jh.shortAdobeLength(), fixed, jh.shortAdobeAt(),
                        fixed.length - jh.shortAdobeAt());
                stream = fixed;
            }
        }
        DicomCodecs.Decoded d = DicomCodecs.imageIo(stream, ts, source + " frame " + frame);
        if (d.width() != cols || d.height() != rows || d.bands() != spp) {
            throw new ImageDecodeException(Reason.CORRUPT, source + " frame " + frame + ": the codestream is "
                    + d.width() + " x " + d.height() + " x " + d.bands() + " but the header says " + cols + " x "
                    + rows + " x " + spp + " (corrupt fragment)");
        }
        int[] v = d.samples();
        for (int i = 0; i < v.length; i++) {
            v[i] = fix(v[i]);
        }
        // JPEG: the raster as coded, without colour conversion (as GDCM, and so pydicom, return it): YCbCr for
        // YBR_FULL(_422), upsampled by the decoder. JPEG 2000: the decoder undoes RCT / ICT, the values are RGB.
        String pi = spp == 3 && jh != null && photometric.startsWith("YBR") ? "YBR_FULL"
                : spp == 3 && jh == null ? "RGB" : photometric;
        return new StoredFrame(cols, rows, spp, pi, bitsStored, signed, v);
    }

    /** Masks to Bits Stored and sign-extends signed values. */
    private int fix(int v) {
        if (bitsStored < 32) {
            v &= (1 << bitsStored) - 1;
            if (signed && (v & (1 << (bitsStored - 1))) != 0) {
                v -= 1 << bitsStored;
            }
        }
        return v;
    }

    private StoredFrame nativeFrame(int f) {
        byte[] b = pixelData.buf();
        int base = pixelData.off();
        int pixels = rows * cols;
        int[] out = new int[pixels * spp];
        if (bitsAllocated == 1) {
            long bit0 = (long) f * pixels * spp;
            for (int i = 0; i < out.length; i++) {
                long bit = bit0 + i;
                out[i] = (b[base + (int) (bit >>> 3)] >> (int) (bit & 7)) & 1;
            }
            return new StoredFrame(cols, rows, spp, photometric, bitsStored, signed, out);
        }
        boolean be = pixelData.bigEndian();
        boolean swap8 = be && bitsAllocated == 8 && "OW".equals(pixelData.vr());
        int per = bitsAllocated / 8;
        long start = base + frameBytes() * f;
        boolean ybr422 = "YBR_FULL_422".equals(photometric);
        int n = ybr422 ? pixels * 2 : pixels * spp;
        int[] raw = new int[n];
        for (int i = 0; i < n; i++) {
            int p = (int) (start + (long) i * per);
            if (per == 1) {
                raw[i] = b[swap8 ? base + ((p - base) ^ 1) : p] & 0xff;
            } else {
                raw[i] = be ? ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff) : (b[p] & 0xff) | ((b[p + 1] & 0xff) << 8);
            }
            raw[i] = fix(raw[i]);
        }
        if (ybr422) {
            // Two pixels share their chroma: Y1 Y2 Cb Cr (PS3.3 C.7.6.3.1.2).
            for (int i = 0; i + 1 < pixels; i += 2) {
                int q = i * 2;
                int y1 = raw[q];
                int y2 = raw[q + 1];
                int cb = raw[q + 2];
                int cr = raw[q + 3];
                out[i * 3] = y1;
                out[i * 3 + 1] = cb;
                out[i * 3 + 2] = cr;
                out[i * 3 + 3] = y2;
                out[i * 3 + 4] = cb;
                out[i * 3 + 5] = cr;
            }
            return new StoredFrame(cols, rows, 3, "YBR_FULL", bitsStored, signed, out);
        }
        if (spp == 3 && planar == 1) {
            for (int s = 0; s < 3; s++) {
                for (int i = 0; i < pixels; i++) {
                    out[i * 3 + s] = raw[s * pixels + i];
                }
            }
            return new StoredFrame(cols, rows, spp, photometric, bitsStored, signed, out);
        }
        return new StoredFrame(cols, rows, spp, photometric, bitsStored, signed, raw);
    }

    /** The bytes of one frame of encapsulated pixel data (fragments joined). */
    private byte[] frameStream(int f) {
        List<int[]> frags = pixelData.fragments();
        byte[] b = pixelData.buf();
        List<int[]> data = frags.subList(1, frags.size());
        List<int[]> mine = new ArrayList<>();
        int[] bot = frags.get(0);
        if (frames == 1) {
            mine.addAll(data);
        } else if (bot[1] >= 4 * frames) {
            long want = DicomParser.u32(b, bot[0] + 4 * f, false);
            long next = f + 1 < frames ? DicomParser.u32(b, bot[0] + 4 * (f + 1), false) : Long.MAX_VALUE;
            int first = data.get(0)[0] - 8;
            for (int[] fr : data) {
                long rel = fr[0] - 8 - first;
                if (rel >= want && rel < next) {
                    mine.add(fr);
                }
            }
        } else if (data.size() == frames) {
            mine.add(data.get(f));
        } else {
            // No offset table and more fragments than frames: a frame starts at each codestream start marker.
            int k = -1;
            for (int[] fr : data) {
                boolean startMarker = fr[1] >= 2 && (b[fr[0]] & 0xff) == 0xFF
                        && ((b[fr[0] + 1] & 0xff) == 0xD8 || (b[fr[0] + 1] & 0xff) == 0x4F);
                if (startMarker) {
                    k++;
                }
                if (k == f) {
                    mine.add(fr);
                }
            }
        }
        if (mine.isEmpty()) {
            throw new ImageDecodeException(Reason.CORRUPT, source + ": no pixel data fragment holds frame " + (f + 1)
                    + " of " + frames + " (corrupt offset table or truncated)");
        }
        int len = 0;
        for (int[] fr : mine) {
            len += fr[1];
        }
        byte[] out = new byte[len];
        int o = 0;
        for (int[] fr : mine) {
            System.arraycopy(b, fr[0], out, o, fr[1]);
            o += fr[1];
        }
        return out;
    }

    /** The meta information's transfer syntax and the data set, for writing derived objects. */
    DicomObject meta() {
        return meta;
    }
}
