package org.mvfaedge.sdk.image.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's python3-pydicom as the independent truth: its test files and its decoding (run through
 * {@code pydicom_truth.py}). Absent pydicom skips the tests on a user's machine and fails them in CI.
 */
final class PydicomTruth {
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path TEST_FILES = Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files");

    private PydicomTruth() {
    }

    static boolean available() {
        return Files.isDirectory(TEST_FILES) && Files.isExecutable(PYTHON);
    }

    /** Skips without pydicom, unless CI=true, where its absence is a failure (.ci/run installs it). */
    static void require() {
        if ("true".equals(System.getenv("CI"))) {
            assertEquals(true, available(), "CI: python3-pydicom is not installed (.ci/run installs it)");
        }
        assumeTrue(available(), "python3-pydicom is not installed (apt-get install python3-pydicom python3-gdcm)");
    }

    static List<Path> testFiles() throws IOException {
        try (Stream<Path> s = Files.list(TEST_FILES)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** Runs the truth script on {@code files} into {@code out}; returns its truth.json. */
    static JsonNode run(Path out, List<Path> files) throws IOException, InterruptedException {
        Path script = out.resolve("pydicom_truth.py");
        try (InputStream in = PydicomTruth.class.getResourceAsStream("/dicom/pydicom_truth.py")) {
            Files.copy(in, script);
        }
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), "-I", script.toString(), out.toString()));
        files.forEach(f -> cmd.add(f.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.resolve("python.log").toFile())
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("pydicom_truth.py failed: " + Files.readString(out.resolve("python.log")));
        }
        return new ObjectMapper().readTree(out.resolve("truth.json").toFile());
    }

    static int[] ints(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int[] out = new int[b.remaining() / 4];
        b.asIntBuffer().get(out);
        return out;
    }
}
