package org.mvfaedge.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.ImageDecodeException.Reason;
import org.mvfaedge.sdk.detect.TestImages;
import org.mvfaedge.sdk.testing.ToyPackages;

/** Every kind of bad input, through the detector's public API, gets its own typed error and a message that says what to fix. */
class DetectorBadInputTest {
    @TempDir
    static Path tmp;
    static AnomalyDetector detector;
    static byte[] png;

    @BeforeAll
    static void open() throws Exception {
        ToyPackages.channelMean(tmp.resolve("toy"), 16, 0.5);
        detector = AnomalyDetector.open(tmp.resolve("toy"),
                DetectorOptions.builder().providers(ExecutionProvider.CPU).maxPixels(10_000).build());
        png = TestImages.png(TestImages.grey(TestImages.greyRectangle(40, 30, 5, 5, 10, 10), 40, 30));
    }

    @AfterAll
    static void close() {
        detector.close();
    }

    private static ImageDecodeException refused(Reason reason, String fragment, Executable call) {
        ImageDecodeException e = assertThrows(ImageDecodeException.class, call);
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        return e;
    }

    @Test
    void missingFileAndFolder() {
        refused(Reason.UNREADABLE, "does not exist", () -> detector.detect(tmp.resolve("nope.png")));
        refused(Reason.UNREADABLE, "not a regular file", () -> detector.detect(tmp));
    }

    @Test
    void zeroBytes() throws Exception {
        Path empty = Files.write(tmp.resolve("empty.png"), new byte[0]);
        refused(Reason.EMPTY, "empty", () -> detector.detect(empty));
        refused(Reason.EMPTY, "empty", () -> detector.detect(new byte[0]));
    }

    @Test
    void truncatedPng() throws Exception {
        byte[] half = Arrays.copyOf(png, png.length / 2);
        refused(Reason.CORRUPT, "truncated", () -> detector.detect(half));
        Path f = Files.write(tmp.resolve("half.png"), half);
        refused(Reason.CORRUPT, "truncated", () -> detector.detect(f));
    }

    @Test
    void unsupportedFormat() {
        refused(Reason.UNSUPPORTED_FORMAT, "not in a supported format",
                () -> detector.detect("patient notes, not an image".getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * A 60-byte PNG that declares 100000 x 100000 pixels and holds none: refused as too large, which
     * can only come from the header (decoding would fail as corrupt).
     */
    @Test
    void overThePixelLimitFromTheHeaderBeforeDecoding() {
        byte[] bomb = pngHeaderClaiming(100_000, 100_000);
        ImageDecodeException e = refused(Reason.TOO_LARGE, "over the limit of 10000", () -> detector.detect(bomb));
        assertTrue(e.getMessage().contains("100000 x 100000"), e.getMessage());
        // A real image just over the option's limit (101 x 100 = 10100 > 10000).
        byte[] real = TestImages.png(TestImages.grey(new byte[101 * 100], 101, 100));
        refused(Reason.TOO_LARGE, "101 x 100", () -> detector.detect(real));
        refused(Reason.TOO_LARGE, "101 x 100", () -> detector.detect(new BufferedImage(101, 100, BufferedImage.TYPE_INT_RGB)));
        refused(Reason.TOO_LARGE, "101 x 100", () -> detector.detect(RawImage.grey8(new byte[3], 101, 100)));
    }

    static byte[] pngHeaderClaiming(int w, int h) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        b.putInt(13).put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(w).putInt(h)
                .put(new byte[] {8, 0, 0, 0, 0});
        CRC32 crc = new CRC32();
        crc.update(b.array(), 12, 17);
        b.putInt((int) crc.getValue());
        b.putInt(0).put("IEND".getBytes(StandardCharsets.US_ASCII));
        crc.reset();
        crc.update("IEND".getBytes(StandardCharsets.US_ASCII));
        b.putInt((int) crc.getValue());
        return b.array();
    }

    @Test
    void wrongSizedRawBuffers() {
        refused(Reason.RAW_SIZE_MISMATCH, "needs 1200", () -> detector.detect(RawImage.grey8(new byte[1199], 40, 30)));
        refused(Reason.RAW_SIZE_MISMATCH, "needs 3600", () -> detector.detect(RawImage.rgb8(new byte[1200], 40, 30)));
        refused(Reason.RAW_SIZE_MISMATCH, "needs 1200", () -> detector.detect(RawImage.grey16(new short[1201], 40, 30)));
        refused(Reason.RAW_SIZE_MISMATCH, "must be positive", () -> detector.detect(RawImage.grey8(new byte[0], 0, 30)));
    }

    @Test
    void aBadInputInABatchNamesItsPosition() {
        List<ImageInput> in = List.of(ImageInput.of(png), ImageInput.of(new byte[0]), ImageInput.of(png));
        ImageDecodeException e = refused(Reason.EMPTY, "input 2 of 3", () -> detector.detectAll(in));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void packagesThatCannotBeUsed() throws Exception {
        assertThrows(ModelPackageException.class, () -> AnomalyDetector.open(tmp.resolve("missing"), DetectorOptions.defaults()));
        Path copy = tmp.resolve("changed");
        Files.createDirectories(copy);
        for (Path f : List.of(Path.of("model.onnx"), Path.of("manifest.json"))) {
            Files.copy(tmp.resolve("toy").resolve(f), copy.resolve(f));
        }
        byte[] model = Files.readAllBytes(copy.resolve("model.onnx"));
        model[model.length - 1] ^= 1;
        Files.write(copy.resolve("model.onnx"), model);
        ModelPackageException e = assertThrows(ModelPackageException.class,
                () -> AnomalyDetector.open(copy, DetectorOptions.defaults()));
        assertTrue(e.getMessage().contains("does not match the sha256"), e.getMessage());
    }
}
