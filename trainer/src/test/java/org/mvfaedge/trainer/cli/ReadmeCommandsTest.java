package org.mvfaedge.trainer.cli;

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
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.trainer.demo.DemoData;
import org.mvfaedge.sdk.testing.ManifestSchema;

/**
 * Runs every {@code ./mvfa} example printed in {@code README.md} and {@code docs/DEMO.md}, as printed,
 * through bash in a workspace laid out the way the examples assume, so the documents cannot drift
 * from the command line: a renamed option, a changed default path or a missing output fails here.
 *
 * <p>The workspace stands in for a user's: {@code ViT-L-14-336px.pt} is the golden fixture's TorchScript
 * CLIP (OpenAI's file format, a tiny model), {@code bpe_simple_vocab_16e6.txt.gz} is CLIP's BPE,
 * {@code data/} holds generated slices in BMAD's layout under BMAD's names ({@code Brain_AD},
 * {@code Chest_AD}) with the paper's split-file format, and {@code ckpt/<mode>/Brain.pth} are adapters
 * in the paper's checkpoint format. {@code ./mvfa} is a stand-in launcher running the same main class
 * on this test's class path (the real launcher builds the jars first, which CI exercises by running
 * {@code ./mvfa demo}). Only what the tiny model needs is changed, by overriding or appending options:
 * its image size and adapter layers, one training epoch, fewer benchmark iterations. {@code demo} runs
 * in {@link org.mvfaedge.trainer.demo.DemoEndToEndTest}; the edge commands the launcher hands to mvfa-edge
 * ({@code predict}, {@code enroll}, {@code serve}, {@code bench-detect --model}) in the edge server's tests
 * ({@code ReadmeEdgeCommandsTest}, {@code ReadmeHttpExamplesTest}).
 */
class ReadmeCommandsTest {
    /**
     * Options that fit the fixture CLIP (its img_size, features and activation from fixture.json) and keep
     * the run short; made when the tests run, after the fixture was found.
     */
    private static Map<String, Map<String, String>> overrides() {
        FixtureConfig fx = FixtureConfig.get();
        List<String> model = fx.modelArgs();
        return Map.of(
                "train-few", ordered(model, "--epochs", "1"),
                "train-zero", ordered(model, "--epochs", "1", "--evaluations-per-epoch", "1"),
                "test-few", ordered(model),
                "test-zero", ordered(model),
                "export", ordered(model),
                // the last level alone and all levels: two runs of the fixture's
                "ablate", ordered(model, "--epochs", "1", "--level-sets", "'" + fx.features()[fx.features().length - 1]
                        + ";" + fx.featuresArg() + "'"),
                "bench-forward", ordered(List.of(), "--repeat", "1"),
                "bench-detect", ordered(List.of(), "--images", "2", "--warmup", "0", "--preprocess-inputs", "64x64"));
    }
    /** Run elsewhere (see the class comment). */
    private static final List<String> ELSEWHERE = List.of("demo", "serve", "predict", "enroll", "keygen", "sign");

    /** Lines the launcher hands to the edge side (mvfa-edge), run by the edge server's tests. */
    static boolean elsewhere(String line) {
        return ELSEWHERE.contains(subcommand(line)) || subcommand(line).equals("bench-detect") && line.contains("--model");
    }
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path ws;
    static Path repo;

    @BeforeAll
    static void workspace() throws Exception {
        Path fx = Fixtures.fixture(); // skips with a message where ../shared is absent
        assumeTrue(Files.isRegularFile(Path.of("/bin/bash")), "bash is needed to run the examples as printed");
        repo = Path.of("..").toAbsolutePath().normalize();
        Files.copy(fx.resolve("clip/clip-torchscript.pt"), ws.resolve("ViT-L-14-336px.pt"));
        Files.copy(Fixtures.shared().resolve("clip/bpe_simple_vocab_16e6.txt.gz"),
                ws.resolve("bpe_simple_vocab_16e6.txt.gz"));
        // BMAD's layout and names: the demo's generator under Brain (pixel masks) and Chest (labels).
        DemoData.Counts counts = new DemoData.Counts(64, 6, 6, 3, 3);
        Path gen = ws.resolve(".generated");
        DemoData.generate(gen, counts, counts, 4, 7, null);
        Files.createDirectories(ws.resolve("data"));
        Files.createDirectories(ws.resolve("fewshot_seed"));
        for (String[] names : new String[][] {{DemoData.BRAIN, "Brain"}, {DemoData.CHEST, "Chest"}}) {
            Files.move(gen.resolve("data/" + names[0] + "_AD"), ws.resolve("data/" + names[1] + "_AD"));
            Files.move(gen.resolve("fewshot_seed/" + names[0]), ws.resolve("fewshot_seed/" + names[1]));
        }
        // The paper's released checkpoint format (.pth), for test-few / test-zero.
        for (String mode : List.of("few-shot", "zero-shot")) {
            Files.createDirectories(ws.resolve("ckpt/" + mode));
            Files.copy(fx.resolve("adapters/after_3_steps.pth"), ws.resolve("ckpt/" + mode + "/Brain.pth"));
        }
        // Images to score and to enrol: test slices, normal valid slices.
        Path brain = ws.resolve("data/Brain_AD");
        copyAll(brain.resolve("test/Ungood/img"), ws.resolve("scans"));
        copyAll(brain.resolve("valid/good/img"), ws.resolve("site-normals"));
        List<Path> normals = list(brain.resolve("test/good/img"));
        Files.copy(normals.get(0), ws.resolve("a.png"));
        Files.copy(normals.get(1), ws.resolve("b.png"));
        Files.copy(list(brain.resolve("test/Ungood/img")).get(0), ws.resolve("c.png"));

        Path launcher = ws.resolve("mvfa");
        Files.writeString(launcher, "#!/usr/bin/env bash\n"
                + "# Stand-in for the repository's ./mvfa: the same main class, on the test's class path.\n"
                + "exec java -Xmx3g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -cp '"
                + System.getProperty("java.class.path") + "' org.mvfaedge.trainer.cli.Main \"$@\"\n",
                StandardCharsets.UTF_8);
        assertTrue(launcher.toFile().setExecutable(true));
    }

    @TestFactory
    Stream<DynamicTest> everyExampleCommandRunsAsPrinted() throws IOException {
        List<String> commands = new ArrayList<>();
        for (String doc : List.of("README.md", "docs/DEMO.md")) {
            for (String line : exampleCommands(Files.readString(repo.resolve(doc), StandardCharsets.UTF_8))) {
                if (!elsewhere(line) && !commands.contains(line)) {
                    commands.add(line);
                }
            }
        }
        // Each command the README documents appears at least once (a deleted example fails here).
        for (String sub : List.of("train-few", "train-zero", "test-few", "test-zero", "export", "evaluate",
                "init-clip", "bench-forward", "bench-detect")) {
            assertTrue(commands.stream().anyMatch(c -> subcommand(c).equals(sub)), "no example of ./mvfa " + sub);
        }
        return commands.stream().map(c -> DynamicTest.dynamicTest(c, () -> runAndCheck(c)));
    }

    private static void runAndCheck(String printed) throws Exception {
        String sub = subcommand(printed);
        String line = withOverrides(printed, overrides().getOrDefault(sub, Map.of()));
        Process p = new ProcessBuilder("bash", "-c", line).directory(ws.toFile())
                .redirectError(ws.resolve(".stderr").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "timed out: " + line);
        String err = Files.readString(ws.resolve(".stderr"), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "exit status of\n  " + line + "\nstderr:\n" + tail(err));
        switch (sub) {
            case "train-few" -> assertTrue(Files.isRegularFile(ws.resolve("ckpt/few-shot/Brain.safetensors")));
            case "train-zero" -> {
                assertTrue(Files.isRegularFile(ws.resolve("ckpt/zero-shot/Brain.safetensors")));
                // As printed, it trains on the reference's data: the other object's test split only.
                JsonNode run = JSON.readTree(ws.resolve("ckpt/zero-shot/Brain.json").toFile()).get("run");
                assertEquals("[\"test\"]", run.get("train_splits").toString());
                assertEquals("[\"Chest\"]", run.get("train_objects").toString());
                assertEquals(list(ws.resolve("data/Chest_AD/test/good/img")).size()
                        + list(ws.resolve("data/Chest_AD/test/Ungood/img")).size(), run.get("train_images").asInt());
            }
            case "test-few", "test-zero", "evaluate" -> {
                if (printed.contains("--json")) {
                    JsonNode r = JSON.readTree(lastJsonLine(out));
                    assertEquals("Brain", r.get("object").asText());
                    assertAuc(r.get("image_auc").asDouble());
                    assertAuc(r.get("pixel_auc").asDouble());
                } else {
                    assertTrue(out.contains("Brain"), out);
                }
            }
            case "export" -> {
                ModelPackage pkg = ModelPackage.open(ManifestSchema.assertValid(ws.resolve("onnx/Brain-few-shot")));
                assertEquals("Brain", pkg.manifest().object().name());
                assertEquals(printed.contains("fp16") ? "fp16" : "fp32", pkg.manifest().model().precision());
            }
            case "init-clip" -> assertTrue(Files.size(ws.resolve("build/vitl14-336.safetensors")) > 800_000_000L,
                    "ViT-L/14-336 in fp16 is about 0.9 GB");
            case "bench-forward" -> assertTrue(JSON.readTree(lastJsonLine(out)).get("forward_s_per_image").asDouble() > 0, out);
            case "bench-detect" -> assertTrue(out.lines().anyMatch(l -> l.contains("\"benchmark\":\"detect\"")), out);
            case "ablate" -> {
                JsonNode t = JSON.readTree(ws.resolve("build/ablation/Brain/ablation.json").toFile());
                assertEquals("Brain", t.get("object").asText());
                assertEquals(printed.contains("--branches both,seg,det") ? 6 : 2, t.get("rows").size(), t.toString());
                t.get("rows").forEach(r -> assertAuc(r.get("image_auc").asDouble()));
            }
            case "plot-runs" -> assertTrue(Files.size(ws.resolve("build/plot-runs/runs.svg")) > 0
                    && Files.size(ws.resolve("build/plot-runs/runs.png")) > 0, out);
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
            int comment = line.indexOf(" #");
            if (line.startsWith("#")) {
                continue;
            }
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

    /**
     * The command with each option's value replaced where the command gives it and appended where it
     * does not; square-bracketed optional parts are run too, without their brackets.
     */
    static String withOverrides(String command, Map<String, String> overrides) {
        List<String> tokens = new ArrayList<>(List.of(command.replace("[", "").replace("]", "").split("\\s+")));
        overrides.forEach((option, value) -> {
            int i = tokens.indexOf(option);
            if (i >= 0) {
                tokens.set(i + 1, value);
            } else {
                tokens.add(option);
                tokens.add(value);
            }
        });
        return String.join(" ", tokens);
    }

    private static void assertAuc(double v) {
        assertTrue(v >= 0 && v <= 100, "AUC " + v);
    }

    private static String lastJsonLine(String out) {
        List<String> json = out.lines().filter(l -> l.startsWith("{")).toList();
        assertFalse(json.isEmpty(), "no JSON on stdout:\n" + out);
        return json.get(json.size() - 1);
    }

    /** Option-value pairs in order: {@code first} (e.g. the fixture's model options), then {@code kv}. */
    private static Map<String, String> ordered(List<String> first, String... kv) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(kv));
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < all.size(); i += 2) {
            m.put(all.get(i), all.get(i + 1));
        }
        return m;
    }

    private static void copyAll(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        for (Path f : list(from)) {
            Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static String tail(String s) {
        return s.length() <= 4000 ? s : "..." + s.substring(s.length() - 4000);
    }
}
