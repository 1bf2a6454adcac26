package org.mvfaedge.server.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * DICOM inputs for the edge tests: pydicom's test files, a multi-frame MR written by pydicom, damaged
 * copies with one known defect each, and the independent tools (pydicom, dciodvfy). The scripts are the
 * SDK's test resources (one copy of the truth).
 */
public final class DicomSamples {
    public static final Path PYTHON = Path.of("/usr/bin/python3");
    public static final Path TEST_FILES = Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files");
    public static final Path DCIODVFY = Path.of("/usr/bin/dciodvfy");
    static final Path SCRIPTS = Path.of("../runtime-sdk/src/test/resources/dicom");

    private DicomSamples() {
    }

    /** Skips without pydicom and dicom3tools, unless CI=true, where their absence fails (.ci/run installs them). */
    public static void require() {
        boolean ok = Files.isDirectory(TEST_FILES) && Files.isExecutable(PYTHON) && Files.isExecutable(DCIODVFY)
                && Files.isDirectory(SCRIPTS);
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(ok, "CI: python3-pydicom / dicom3tools are not installed (.ci/run installs them)");
        }
        assumeTrue(ok, "python3-pydicom and dicom3tools are not installed");
    }

    public static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "out", ".txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd) + " timed out");
        return Files.readString(log);
    }

    /** A pydicom-written 16-bit MR of {@code frames} frames (see make_multiframe.py). */
    public static Path multiFrame(Path dir, int frames) throws IOException, InterruptedException {
        Path out = dir.resolve("multi" + frames + ".dcm");
        if (!Files.exists(out)) {
            String log = run(dir, PYTHON.toString(), "-I", SCRIPTS.resolve("make_multiframe.py").toAbsolutePath().toString(),
                    out.toString(), Integer.toString(frames));
            assertTrue(Files.exists(out), log);
        }
        return out;
    }

    /** numpy renderings of single-frame grey files: OUT/<name>.file.render (see pydicom_truth.py). */
    public static void numpyRenderings(Path out, List<Path> files) throws IOException, InterruptedException {
        String[] cmd = new String[4 + files.size()];
        cmd[0] = PYTHON.toString();
        cmd[1] = "-I";
        cmd[2] = SCRIPTS.resolve("pydicom_truth.py").toAbsolutePath().toString();
        cmd[3] = out.toString();
        for (int i = 0; i < files.size(); i++) {
            cmd[4 + i] = files.get(i).toString();
        }
        String log = run(out, cmd);
        assertTrue(Files.exists(out.resolve("truth.json")), log);
    }

    /** dciodvfy: the IOD recognised and no line with "Error". */
    public static void assertValid(Path file) throws IOException, InterruptedException {
        String out = run(file.getParent(), DCIODVFY.toString(), file.toString());
        assertTrue(out.contains("SCImage"), "dciodvfy did not recognise a Secondary Capture: " + out);
        List<String> errors = out.lines().filter(l -> l.contains("Error")).toList();
        assertEquals(List.of(), errors, out);
    }

    static byte[] ctSmall() throws IOException {
        return Files.readAllBytes(TEST_FILES.resolve("CT_small.dcm"));
    }

    /** CT_small cut in its pixel data. */
    public static byte[] truncated() throws IOException {
        byte[] d = ctSmall();
        return Arrays.copyOf(d, d.length - 10_000);
    }

    /** CT_small cut before its Pixel Data element. */
    public static byte[] noPixelData() throws IOException {
        byte[] d = ctSmall();
        return Arrays.copyOf(d, find(d, new byte[] {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'W'}));
    }

    /** CT_small declaring 65535 x 65535 pixels. */
    public static byte[] hugeHeader() throws IOException {
        byte[] d = ctSmall();
        for (byte el : new byte[] {0x10, 0x11}) {
            int p = find(d, new byte[] {0x28, 0x00, el, 0x00, 'U', 'S', 0x02, 0x00});
            d[p + 8] = (byte) 0xFF;
            d[p + 9] = (byte) 0xFF;
        }
        return d;
    }

    /** MR_small_RLE whose RLE header declares 9 segments instead of 2. */
    public static byte[] corruptFragment() throws IOException {
        byte[] d = Files.readAllBytes(TEST_FILES.resolve("MR_small_RLE.dcm"));
        int p = find(d, new byte[] {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'B', 0, 0, -1, -1, -1, -1}) + 12;
        int botLen = (d[p + 4] & 0xff) | (d[p + 5] & 0xff) << 8;
        int frame = p + 8 + botLen + 8;
        assertEquals(2, d[frame], "MR_small_RLE.dcm: 2 RLE segments expected");
        d[frame] = 9;
        return d;
    }

    static int find(byte[] d, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= d.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (d[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("pattern not found");
    }
}
