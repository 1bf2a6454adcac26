package org.mvfaedge.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.server.TestPackages;
import org.mvfaedge.sdk.testing.ManifestSchema;

/**
 * Runs the {@code ./mvfa} examples of README.md and docs/DEMO.md that the launcher hands to the edge side
 * ({@code predict}, {@code enroll}, {@code bench-detect --model}) as printed, through bash, in a workspace
 * laid out the way they assume: {@code onnx/Brain-few-shot} (a real package exported from the golden
 * fixture), {@code scans/} and {@code site-normals/} (fixture images), {@code a.png}, {@code b.png},
 * {@code c.png}. {@code ./mvfa} is a stand-in running {@link EdgeMain} on this test's class path (the real
 * launcher builds the jars first). The trainer's ReadmeCommandsTest runs the other examples, the HTTP
 * examples test the {@code serve} lines.
 */
class ReadmeEdgeCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path ws;
    static Path repo;

    @BeforeAll
    static void workspace() throws Exception {
        Path fx = Fixtures.tinyA(); // skips with a message where ../shared is absent
        assumeTrue(Files.isRegularFile(Path.of("/bin/bash")), "bash is needed to run the examples as printed");
        repo = Path.of("..").toAbsolutePath().normalize();
        TestPackages.copy(TestPackages.brainFew(), ws.resolve("onnx/Brain-few-shot"));
        Files.createDirectories(ws.resolve("scans"));
        Files.createDirectories(ws.resolve("site-normals"));
        for (int i = 0; i < 3; i++) {
            Files.copy(fx.resolve("images/img" + i + ".png"), ws.resolve("scans/img" + i + ".png"));
        }
        Files.copy(fx.resolve("images/support1.png"), ws.resolve("site-normals/support1.png"));
        Files.copy(fx.resolve("images/img1.png"), ws.resolve("site-normals/img1.png"));
        Files.copy(fx.resolve("images/support0.png"), ws.resolve("a.png"));
        Files.copy(fx.resolve("images/support1.png"), ws.resolve("b.png"));
        Files.copy(fx.resolve("images/img0.png"), ws.resolve("c.png"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path launcher = ws.resolve("mvfa");
        Files.writeString(launcher, "#!/usr/bin/env bash\n"
                + "# Stand-in for the repository's ./mvfa edge commands: mvfa-edge's main class on the test's class path.\n"
                + "exec '" + java + "' -Xmx1g -cp '" + System.getProperty("java.class.path")
                + "' org.mvfaedge.server.cli.EdgeMain \"$@\"\n", StandardCharsets.UTF_8);
        assertTrue(launcher.toFile().setExecutable(true));
    }

    @TestFactory
    Stream<DynamicTest> everyEdgeExampleRunsAsPrinted() throws IOException {
        List<String> commands = new ArrayList<>();
        for (String doc : List.of("README.md", "docs/DEMO.md")) {
            for (String line : exampleCommands(Files.readString(repo.resolve(doc), StandardCharsets.UTF_8))) {
                if (edge(line) && !commands.contains(line)) {
                    commands.add(line);
                }
            }
        }
        for (String sub : List.of("predict", "enroll", "bench-detect", "keygen", "sign")) {
            assertTrue(commands.stream().anyMatch(c -> subcommand(c).equals(sub)), "no example of ./mvfa " + sub);
        }
        return commands.stream().map(c -> DynamicTest.dynamicTest(c, () -> runAndCheck(c)));
    }

    static boolean edge(String line) {
        String sub = subcommand(line);
        return sub.equals("predict") || sub.equals("enroll") || sub.equals("keygen") || sub.equals("sign")
                || sub.equals("bench-detect") && line.contains("--model");
    }

    private static void runAndCheck(String printed) throws Exception {
        String sub = subcommand(printed);
        // Square-bracketed optional parts run too; the benchmark runs fewer iterations.
        String line = printed.replace("[", "").replace("]", "")
                + (sub.equals("bench-detect") ? " --images 2 --warmup 0 --preprocess-inputs 64x64" : "");
        Process p = new ProcessBuilder("bash", "-c", line).directory(ws.toFile())
                .redirectError(ws.resolve(".stderr").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out: " + line);
        String err = Files.readString(ws.resolve(".stderr"), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "exit status of\n  " + line + "\nstderr:\n" + err);
        switch (sub) {
            case "predict" -> {
                List<String> lines = out.lines().filter(l -> l.startsWith("{")).toList();
                assertEquals(3, lines.size(), "one JSON line per image:\n" + out);
                for (String l : lines) {
                    JsonNode d = JSON.readTree(l);
                    assertFalse(d.has("error"), l);
                    assertTrue(d.get("score").isNumber(), l);
                }
                if (printed.contains("--overlay out/")) {
                    try (Stream<Path> s = Files.list(ws.resolve("out"))) {
                        assertEquals(lines.size(), s.count(), "one overlay per image");
                    }
                }
            }
            case "enroll" -> assertEquals("Brain", ModelPackage.open(ManifestSchema.assertValid(ws.resolve("onnx/Brain-site-a")))
                    .manifest().object().name());
            case "bench-detect" -> assertTrue(out.lines().anyMatch(l -> l.contains("\"benchmark\":\"detect\"")), out);
            case "keygen" -> assertEquals(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"),
                    Files.getPosixFilePermissions(ws.resolve("keys/mvfa-signing.pem")));
            case "sign" -> assertEquals(org.mvfaedge.sdk.pkg.trust.Ed25519Keys.keyId(org.mvfaedge.sdk.pkg.trust.Ed25519Keys
                    .readPublic(ws.resolve("keys/mvfa-signing.pub.pem"))), org.mvfaedge.sdk.pkg.trust.PackageVerifier.verify(
                    ws.resolve("onnx/Brain-few-shot"), org.mvfaedge.sdk.pkg.trust.TrustedKeys.read(
                            List.of(ws.resolve("keys/mvfa-signing.pub.pem")))));
            default -> throw new AssertionError("no check for ./mvfa " + sub + ": add one");
        }
    }

    /** The {@code ./mvfa ...} lines of a markdown document's bash blocks, continuations joined, comments cut. */
    static List<String> exampleCommands(String markdown) {
        List<String> commands = new ArrayList<>();
        boolean inBash = false;
        StringBuilder pending = null;
        for (String raw : markdown.split("\n", -1)) {
            if (raw.startsWith("```")) {
                inBash = !inBash && raw.strip().equals("```bash");
                continue;
            }
            if (!inBash) {
                continue;
            }
            String line = raw.strip();
            if (line.startsWith("#")) {
                continue;
            }
            int comment = line.indexOf(" #");
            if (comment >= 0) {
                line = line.substring(0, comment).strip();
            }
            boolean continues = line.endsWith("\\");
            if (continues) {
                line = line.substring(0, line.length() - 1).strip();
            }
            if (pending != null) {
                pending.append(' ').append(line);
            } else if (line.startsWith("./mvfa ")) {
                pending = new StringBuilder(line);
            }
            if (!continues && pending != null) {
                commands.add(pending.toString());
                pending = null;
            }
        }
        return commands;
    }

    static String subcommand(String command) {
        return command.split("\\s+")[1];
    }
}
