package org.mvfaedge.sdk.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.mvfaedge.sdk.onnx.OnnxFormatException;
import org.mvfaedge.sdk.onnx.OnnxModelFiles;

/**
 * The SDK's own ONNX reader ({@link OnnxModelFiles#read}, used by enrollment to replace a package's memory
 * bank) on an outside {@code model.onnx} and its external data file {@code model.onnx.data}. Input layout: a
 * 4-byte big-endian length L, then L bytes of the model, the rest is the data file. Only
 * {@link OnnxFormatException} may escape (ONNX Runtime's native parser is fuzzed by its own project).
 */
class OnnxFuzzTest {
    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("onnx-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest
    void read(byte[] input) throws IOException {
        int len = input.length < 4 ? input.length : Math.min(input.length - 4, ByteBuffer.wrap(input, 0, 4).getInt() & 0x7fffffff);
        int start = input.length < 4 ? 0 : 4;
        Path model = DIR.resolve("model.onnx");
        Files.write(model, Arrays.copyOfRange(input, start, start + len));
        Files.write(DIR.resolve("model.onnx.data"), Arrays.copyOfRange(input, start + len, input.length));
        try {
            OnnxModelFiles.read(model);
        } catch (OnnxFormatException expected) {
            // the typed refusal
        }
    }
}
