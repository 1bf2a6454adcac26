package org.mvfaedge.sdk.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the read-only golden data at {@code ../shared} from the repository root ({@code -Dmvfa.shared})
 * and the fixture the parity tests compare with ({@code -Dmvfa.fixture}, by default
 * {@code <shared>/fixtures/mvfa-tiny-a}; its configuration is {@link FixtureConfig}). Tests that need them
 * skip with a message where they are absent (a user's clone), and fail naming the path when the
 * environment says {@code CI=true}, as the other tool-dependent tests do: CI must never pass by skipping.
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** The shared folder, or the test is skipped (failed under CI=true). */
    public static Path shared() {
        String prop = System.getProperty("mvfa.shared");
        Path p = prop != null ? Path.of(prop) : Path.of("..", "shared");
        if (!Files.isDirectory(p) && Files.isDirectory(Path.of("..", "..", "shared"))) {
            p = Path.of("..", "..", "shared");
        }
        require(Files.isDirectory(p.resolve("fixtures")), "golden data not found at " + p.toAbsolutePath().normalize()
                + " (../shared beside the repository, or -Dmvfa.shared=PATH)", ci());
        return p.toAbsolutePath().normalize();
    }

    /**
     * The fixture folder the parity tests use: {@code -Dmvfa.fixture=PATH}, by default
     * {@code <shared>/fixtures/mvfa-tiny-a}; skipped (failed under CI=true) where it has no fixture.json.
     */
    public static Path fixture() {
        String prop = System.getProperty(FixtureConfig.PROPERTY);
        Path p = prop != null && !prop.isBlank() ? Path.of(prop) : shared().resolve(FixtureConfig.DEFAULT);
        require(Files.isRegularFile(p.resolve("fixture.json")), "golden fixture not found: no fixture.json in "
                + p.toAbsolutePath().normalize() + " (-D" + FixtureConfig.PROPERTY + "=PATH chooses the folder)", ci());
        return p.toAbsolutePath().normalize();
    }

    /**
     * The fixture folder, as {@link #fixture()}: the older name, kept so tests written on other branches
     * before {@code -Dmvfa.fixture} still compile (it is tiny-a unless that property says otherwise).
     */
    public static Path tinyA() {
        return fixture();
    }

    /** Whether the environment is CI ({@code CI=true}), where a missing fixture is a failure, not a skip. */
    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * Passes when {@code present}; otherwise fails with {@code what} under CI, or skips the test with it
     * (a user's clone without the golden data).
     */
    static void require(boolean present, String what, boolean ci) {
        if (present) {
            return;
        }
        if (ci) {
            throw new AssertionError("CI=true but " + what);
        }
        assumeTrue(false, what + ": skipping fixture test");
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

    /** Names the quantity whose lengths differ (another img_size or width than the fixture's arrays shows here). */
    private static void assertSameLength(String quantity, float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            throw new AssertionError(quantity + ": " + actual.length + " values, expected " + expected.length);
        }
    }

    /** Asserts {@code max|a-e| <= tol} and prints the largest difference for the closing notes. */
    public static void assertClose(String quantity, float[] actual, float[] expected, double tol) {
        assertSameLength(quantity, actual, expected);
        double d = maxAbsDiff(actual, expected);
        System.out.printf("parity %-50s max abs diff %.3e (tol %.1e)%n", quantity, d, tol);
        if (!(d <= tol)) {
            throw new AssertionError(quantity + ": max abs diff " + d + " > " + tol);
        }
    }

    /** Asserts the relative difference {@code max|a-e| / max(max|e|, tiny)} is within tol. */
    public static void assertRelClose(String quantity, float[] actual, float[] expected, double tol) {
        assertSameLength(quantity, actual, expected);
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
