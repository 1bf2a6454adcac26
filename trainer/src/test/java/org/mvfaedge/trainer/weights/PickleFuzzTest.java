package org.mvfaedge.trainer.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The PyTorch checkpoint reader ({@link TorchCheckpoint#read}: zip archive, {@code data.pkl} unpickled by
 * {@code TorchPickle}, tensors cut from storage records) with an outside {@code data.pkl}: the archive around
 * it holds storage records {@code data/0} to {@code data/15} of 64 bytes each, so pickles that name storages
 * reach the tensor code. Only {@link CheckpointException} may escape. Seeds: the fixture's adapter checkpoint
 * and TorchScript CLIP pickles, and the findings.
 */
class PickleFuzzTest {
    private static final Path FILE;

    static {
        try {
            FILE = Files.createTempFile("pickle-fuzz", ".pth");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] archive(byte[] pickle) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(pickle);
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("archive/byteorder"));
            zip.write("little".getBytes(StandardCharsets.US_ASCII));
            zip.closeEntry();
            for (int i = 0; i < 16; i++) {
                zip.putNextEntry(new ZipEntry("archive/data/" + i));
                zip.write(new byte[64]);
                zip.closeEntry();
            }
            zip.putNextEntry(new ZipEntry("archive/version"));
            zip.write("3\n".getBytes(StandardCharsets.US_ASCII));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    @FuzzTest
    void unpickle(byte[] pickle) throws IOException {
        Files.write(FILE, archive(pickle));
        try {
            TorchCheckpoint.read(FILE);
        } catch (CheckpointException expected) {
            // the typed refusal
        }
    }
}
