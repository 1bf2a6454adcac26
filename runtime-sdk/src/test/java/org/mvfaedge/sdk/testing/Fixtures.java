package org.mvfaedge.sdk.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the read-only golden data at {@code ../shared} from the repository root. Tests that need
 * it skip with a message where it is absent (a user's clone); {@code .ci/run} refuses to run without
 * it, so CI never skips.
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** The shared folder, or the test is skipped. */
    public static Path shared() {
        String prop = System.getProperty("mvfa.shared");
        Path p = prop != null ? Path.of(prop) : Path.of("..", "shared");
        if (!Files.isDirectory(p) && Files.isDirectory(Path.of("..", "..", "shared"))) {
            p = Path.of("..", "..", "shared");
        }
        assumeTrue(Files.isDirectory(p.resolve("fixtures")),
                "golden data not found at " + p.toAbsolutePath().normalize()
                        + " (../shared beside the repository): skipping fixture test");
        return p.toAbsolutePath().normalize();
    }

    /** The tiny-a fixture folder. */
    public static Path tinyA() {
        return shared().resolve("fixtures/mvfa-tiny-a");
    }

    /** The CLIP BPE merges file. */
    public static Path bpe() {
        return shared().resolve("clip/bpe_simple_vocab_16e6.txt.gz");
    }

    public static Npy npy(Path p) {
        try {
            return Npy.read(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Largest absolute difference, printed by parity tests per quantity. */
    public static double maxAbsDiff(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            throw new AssertionError("length " + actual.length + " != expected " + expected.length);
        }
        double m = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            if (Double.isNaN(d)) {
                return Double.POSITIVE_INFINITY;
            }
            m = Math.max(m, d);
        }
        return m;
    }

    /** Asserts {@code max|a-e| <= tol} and prints the largest difference for the closing notes. */
    public static void assertClose(String quantity, float[] actual, float[] expected, double tol) {
        double d = maxAbsDiff(actual, expected);
        System.out.printf("parity %-50s max abs diff %.3e (tol %.1e)%n", quantity, d, tol);
        if (!(d <= tol)) {
            throw new AssertionError(quantity + ": max abs diff " + d + " > " + tol);
        }
    }

    /** Asserts the relative difference {@code max|a-e| / max(max|e|, tiny)} is within tol. */
    public static void assertRelClose(String quantity, float[] actual, float[] expected, double tol) {
        double d = maxAbsDiff(actual, expected);
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        double rel = d / Math.max(scale, 1e-12);
        System.out.printf("parity %-50s max rel diff %.3e (tol %.1e)%n", quantity, rel, tol);
        if (!(rel <= tol)) {
            throw new AssertionError(quantity + ": relative diff " + rel + " > " + tol);
        }
    }
}
