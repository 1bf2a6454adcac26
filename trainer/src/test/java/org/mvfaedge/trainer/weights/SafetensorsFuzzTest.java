package org.mvfaedge.trainer.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The safetensors reader on outside bytes (CLIP weights and adapter checkpoints are downloaded files): only
 * {@link CheckpointException} may escape. Seeds in {@code SafetensorsFuzzTestInputs/read}.
 */
class SafetensorsFuzzTest {
    private static final Path FILE;

    static {
        try {
            FILE = Files.createTempFile("safetensors-fuzz", ".safetensors");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest
    void read(byte[] data) throws IOException {
        Files.write(FILE, data);
        try {
            Safetensors.read(FILE);
        } catch (CheckpointException expected) {
            // the typed refusal
        }
    }
}
