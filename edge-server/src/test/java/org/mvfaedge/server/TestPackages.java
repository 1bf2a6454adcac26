package org.mvfaedge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.trainer.cli.Main;
import org.mvfaedge.trainer.export.PackageExporter;
import org.mvfaedge.sdk.testing.ManifestSchema;
import picocli.CommandLine;

/**
 * Real model packages for the server's tests, made once per test JVM from the golden fixture (its
 * img_size, features and activation from fixture.json) with the trainer's {@code export} command run
 * in-process (the trainer is a test-scoped dependency; nothing is installed), under
 * target/test-packages/&lt;fixture&gt;-&lt;digest&gt;, one folder per fixture and per version of the code that
 * exports them, so neither another {@code -Dmvfa.fixture} nor an older exporter's packages are reused. Tests skip with a message where ../shared is absent.
 */
public final class TestPackages {
    private static final Map<String, Path> MADE = new HashMap<>();
    private static Path root;

    private TestPackages() {
    }

    /** Brain, few-shot (k=2, the fixture's split), adapters after 3 steps, calibrated on the valid split. */
    public static Path brainFew() {
        return make("brain-few", "Brain", "few");
    }

    /** Brain, zero-shot: a second package with a different version, for reloads. */
    public static Path brainZero() {
        return make("brain-zero", "Brain", "zero");
    }

    /** A fixture image ({@code images/img<i>.png}; img0 is a 90 x 100 RGB PNG). */
    public static Path image(int i) {
        return Fixtures.fixture().resolve("images/img" + i + ".png");
    }

    /**
     * The folder of this fixture's packages: its name and a digest of its path and configuration, and of the
     * code that builds them (the trainer's exporter and the SDK it writes packages with, class files or jars),
     * so a package exported from one fixture, or by an older exporter, is never taken for another's.
     */
    private static Path root(FixtureConfig cfg) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(cfg.dir().toString().getBytes(StandardCharsets.UTF_8));
            sha.update(Files.readAllBytes(cfg.file("fixture.json")));
            sha.update(codeKey().getBytes(StandardCharsets.UTF_8));
            String digest = HexFormat.of().formatHex(sha.digest()).substring(0, 12);
            return Path.of("target", "test-packages", cfg.name() + "-" + digest).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** 12 hex digits of the digest of the exporter's and the SDK's code (see {@link #codeDigest}). */
    static synchronized String codeKey() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            codeDigest(sha, PackageExporter.class);
            codeDigest(sha, ModelPackage.class);
            return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Adds the bytes of the code {@code c} was loaded from to {@code sha}: every file of its classes folder
     * (by relative path, in sorted order), or its jar.
     */
    static void codeDigest(MessageDigest sha, Class<?> c) throws IOException {
        Path from;
        try {
            from = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException("cannot locate the code of " + c.getName(), e);
        }
        if (Files.isRegularFile(from)) {
            sha.update(Files.readAllBytes(from));
            return;
        }
        try (Stream<Path> s = Files.walk(from)) {
            for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                sha.update(from.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                sha.update(Files.readAllBytes(f));
            }
        }
    }

    private static synchronized Path make(String name, String object, String mode) {
        FixtureConfig cfg = FixtureConfig.get();
        Path fx = cfg.dir();
        Path done = MADE.get(name);
        if (done != null) {
            return done;
        }
        try {
            if (root == null) {
                root = root(cfg);
                Files.createDirectories(root);
            }
            Path out = root.resolve(name);
            if (reusable(out)) {
                MADE.put(name, out);
                return out;
            }
            deleteTree(out);
            StringWriter err = new StringWriter();
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(new StringWriter()));
            cl.setErr(new PrintWriter(err));
            long t0 = System.nanoTime();
            List<String> args = new ArrayList<>(List.of("export", "--clip", fx.resolve("clip/clip-torchscript.pt").toString(),
                    "--bpe", Fixtures.bpe().toString(), "--adapters", fx.resolve("adapters/after_3_steps.pth").toString(),
                    "--obj", object));
            args.addAll(cfg.modelArgs());
            args.addAll(List.of("--mode", mode, "--data-path", fx.resolve("eval/data").toString(), "--fewshot-seed-dir",
                    fx.resolve("eval/dataset/fewshot_seed").toString(), "--shot", "2", "--iterate", "0", "--calibrate-on",
                    "valid", "--out", out.toString()));
            int rc = cl.execute(args.toArray(new String[0]));
            assertEquals(0, rc, "export of the test package failed: " + err);
            ManifestSchema.assertValid(out);
            System.out.printf("test package %s exported in %.1f s%n", name, (System.nanoTime() - t0) / 1e9);
            MADE.put(name, out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A package exported by an earlier run with the same exporter and SDK code (the folder's digest says so) is
     * reused when it still opens and verifies; otherwise it is exported again.
     */
    private static boolean reusable(Path out) {
        if (!Files.isRegularFile(out.resolve(ModelPackage.MANIFEST))) {
            return false;
        }
        try {
            ModelPackage.open(out);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // temp folder: best effort
        }
    }

    /** A copy of a package folder (so a test can damage or replace it). */
    public static Path copy(Path pkg, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(pkg)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }
}
