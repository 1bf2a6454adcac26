package org.mvfaedge.trainer.ablation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.trainer.cli.Main;
import org.mvfaedge.trainer.demo.DemoData;
import org.mvfaedge.trainer.demo.DemoPlan;
import org.mvfaedge.trainer.weights.RandomClip;
import org.mvfaedge.trainer.weights.Safetensors;

/**
 * {@code ablate} on the demo's generated data at its small size (160 px, the demo's random 4-layer CLIP,
 * 4 shots, 2 epochs), over three level sets: its "all levels" row is exactly what plain {@code train-few} +
 * {@code test-few} compute with the same options; its files parse and its page renders in headless chromium;
 * a run killed during the second set finishes, when run again, without training the first set again.
 */
class AblateCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SETS = "1;4;1,2,3,4";
    @TempDir
    static Path dir;
    private static List<String> common;

    @BeforeAll
    static void demoDataAndClip() throws Exception {
        DemoPlan plan = DemoPlan.small();
        DemoData.Written data = DemoData.generate(dir.resolve("demo"), plan.brain(), plan.chest(), plan.shot(), 111, null);
        Path clip = dir.resolve("clip.safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("clip_config", plan.clip().toOpenClipJson().toString());
        Safetensors.write(clip, RandomClip.create(plan.clip(), 111), meta, Safetensors.FloatFormat.F32);
        StringBuilder features = new StringBuilder();
        for (int f : plan.features()) {
            features.append(features.length() == 0 ? "" : ",").append(f);
        }
        common = List.of("--clip", clip.toString(), "--bpe", "bytes", "--objects", data.objectsJson().toString(), "--obj",
                DemoData.BRAIN, "--data-path", data.data().toString(), "--fewshot-seed-dir", data.fewshotSeeds().toString(),
                "--shot", Integer.toString(plan.shot()), "--iterate", "0", "--img-size", Integer.toString(plan.imageSize()),
                "--features", features.toString(), "--epochs", Integer.toString(plan.epochs()), "--seed", "111");
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute(args);
        assertEquals(0, rc, String.join(" ", args) + "\n" + err + out);
        return out.toString();
    }

    private static List<String> with(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void allLevelsRowEqualsPlainTrainAndTestAndTheFilesParseAndRender() throws Exception {
        Path out = dir.resolve("ablation");
        List<String> args = new ArrayList<>(List.of("ablate", "--mode", "few", "--level-sets", SETS, "--branches",
                "both,seg,det", "--out", out.toString()));
        args.addAll(common);
        String printed = run(args.toArray(String[]::new));
        System.out.println(printed);

        JsonNode table = JSON.readTree(out.resolve("ablation.json").toFile());
        assertEquals(DemoData.BRAIN, table.get("object").asText());
        assertEquals(9, table.get("rows").size());
        List<String> labels = new ArrayList<>();
        table.get("rows").forEach(r -> labels.add(r.get("levels").asText() + "/" + r.get("branches").asText()));
        assertEquals(List.of("1/both", "1/seg", "1/det", "4/both", "4/seg", "4/det", "1,2,3,4/both", "1,2,3,4/seg",
                "1,2,3,4/det"), labels);
        JsonNode all = table.get("rows").get(6);
        for (int k = 0; k < 9; k += 3) {
            JsonNode both = table.get("rows").get(k);
            JsonNode seg = table.get("rows").get(k + 1);
            JsonNode det = table.get("rows").get(k + 2);
            // test_few.py scores an object with pixel masks from its maps alone (image score = the map's maximum),
            // so the det branch takes no part for DemoBrain: seg alone gives exactly the paper's numbers, det
            // alone other ones
            assertEquals(both.get("pixel_auc").asDouble(), seg.get("pixel_auc").asDouble(), 0.0, "seg pixel = both pixel");
            assertEquals(both.get("image_auc").asDouble(), seg.get("image_auc").asDouble(), 0.0, "seg image = both image");
            assertTrue(det.get("pixel_auc").asDouble() != both.get("pixel_auc").asDouble(), "det alone changes the maps");
        }

        // The same settings, by hand: train-few, then test-few on its best checkpoint.
        Path plain = dir.resolve("plain");
        run(with(List.of("train-few"), with(common, "--save-path", plain.toString(), "--json").toArray(String[]::new))
                .toArray(String[]::new));
        List<String> testOptions = new ArrayList<>(common);
        int epochs = testOptions.indexOf("--epochs"); // a training option
        testOptions.remove(epochs + 1);
        testOptions.remove(epochs);
        String tested = run(with(List.of("test-few"), with(testOptions, "--adapters",
                plain.resolve("few-shot/" + DemoData.BRAIN + ".safetensors").toString(), "--json").toArray(String[]::new))
                .toArray(String[]::new));
        JsonNode t = JSON.readTree(tested.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow());
        System.out.printf("ablation all levels: image %.6f pixel %.6f; plain train-few + test-few: image %.6f pixel %.6f%n",
                all.get("image_auc").asDouble(), all.get("pixel_auc").asDouble(), t.get("image_auc").asDouble(),
                t.get("pixel_auc").asDouble());
        assertEquals(t.get("image_auc").asDouble(), all.get("image_auc").asDouble(), 0.0, "image AUC");
        assertEquals(t.get("pixel_auc").asDouble(), all.get("pixel_auc").asDouble(), 0.0, "pixel AUC");
        // and the same adapters, byte for byte
        assertArrayEquals(Files.readAllBytes(plain.resolve("few-shot/" + DemoData.BRAIN + ".safetensors")),
                Files.readAllBytes(out.resolve("few/1-2-3-4/few-shot/" + DemoData.BRAIN + ".safetensors")));

        List<String> csv = Files.readAllLines(out.resolve("ablation.csv"));
        assertEquals(10, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(0).startsWith("object,protocol,levels,branches,image_auc,pixel_auc"), csv.get(0));
        assertTrue(csv.get(7).contains("\"1,2,3,4\",both") && csv.get(7).contains(all.get("image_auc").asText()), csv.get(7));
        var svg = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(out.resolve("ablation.svg").toFile());
        assertEquals("svg", svg.getDocumentElement().getTagName());
        assertTrue(svg.getElementsByTagName("rect").getLength() >= 1 + 2 * 9, "bars in the chart");
        assertNotNull(ImageIO.read(out.resolve("ablation.png").toFile()));
        assertTrue(printed.contains("1,2,3,4"), printed);

        renders(out.resolve("ablation.html"));

        // plot-runs over the three runs the ablation left
        Path plots = dir.resolve("plots");
        String p = run("plot-runs", "--out", plots.toString(), out.resolve("few").toString());
        assertTrue(p.startsWith("3 run(s)"), p);
        var curves = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(plots.resolve("runs.svg").toFile());
        assertTrue(curves.getElementsByTagName("polyline").getLength() >= 3, "a curve per run");
        assertNotNull(ImageIO.read(plots.resolve("runs.png").toFile()));
    }

    @Test
    void aRunKilledDuringTheSecondSetFinishesWithoutTrainingTheFirstAgain() throws Exception {
        Path out = dir.resolve("killed");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                "org.mvfaedge.trainer.cli.Main", "ablate", "--mode", "few", "--level-sets", SETS, "--out", out.toString()));
        cmd.addAll(common);
        Path log = dir.resolve("killed.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path first = out.resolve("few/1/result-both.json");
        Path secondLog = out.resolve("few/4/few-shot/" + DemoData.BRAIN + ".log.jsonl");
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!(Files.exists(first) && (Files.exists(secondLog) || Files.exists(out.resolve("few/4/result-both.json"))))) {
            if (!p.isAlive() || System.nanoTime() > end) {
                p.destroyForcibly();
                fail("the ablation did not reach its second set: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        p.destroyForcibly();
        p.waitFor();
        assertTrue(!Files.exists(out.resolve("ablation.json")), "killed before the end");
        byte[] firstResult = Files.readAllBytes(first);
        Path firstCheckpoint = out.resolve("few/1/few-shot/" + DemoData.BRAIN + ".safetensors");
        long firstWritten = Files.getLastModifiedTime(firstCheckpoint).toMillis();

        java.io.ByteArrayOutputStream errBytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        System.setErr(new java.io.PrintStream(errBytes, true, StandardCharsets.UTF_8));
        String printed;
        try {
            List<String> args = new ArrayList<>(cmd.subList(cmd.indexOf("ablate"), cmd.size()));
            printed = run(args.toArray(String[]::new));
        } finally {
            System.setErr(saved);
        }
        String progress = errBytes.toString(StandardCharsets.UTF_8);
        System.out.println(progress);
        assertTrue(progress.contains("[1/3] levels 1: done in an earlier run"), progress);
        assertTrue(progress.contains("[2/3] levels 4: training") || progress.contains("[2/3] levels 4: done"), progress);
        assertTrue(progress.contains("[3/3] levels 1,2,3,4: training"), progress);
        assertArrayEquals(firstResult, Files.readAllBytes(first), "the first set's result was not rewritten");
        assertEquals(firstWritten, Files.getLastModifiedTime(firstCheckpoint).toMillis(), "the first set was not retrained");
        assertEquals(3, JSON.readTree(out.resolve("ablation.json").toFile()).get("rows").size(), printed);
    }

    /** The page in headless chromium: it renders its table, the chart image loads, no console errors. */
    private static void renders(Path html) throws Exception {
        String chromium = null;
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                if (Files.isExecutable(Path.of(d, name))) {
                    chromium = Path.of(d, name).toString();
                }
            }
        }
        if (chromium == null) {
            String msg = "chromium not found on PATH (Debian: apt-get install chromium); browser check skipped";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(msg + " - CI must install it");
            }
            Assumptions.abort(msg);
        }
        String probe = "<script>window.addEventListener('load',function(){var i=document.getElementById('chart');"
                + "var ok=i.complete&&i.naturalWidth>0;if(!ok){console.error('chart failed to load');}"
                + "document.body.setAttribute('data-chart',ok?'loaded':'broken');});</script>";
        Path check = html.resolveSibling(".probe-ablation.html");
        Files.writeString(check, Files.readString(html).replace("</body>", probe + "</body>"));
        Path profile = Files.createTempDirectory(dir, "chromium-profile");
        List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--enable-logging=stderr", "--v=0",
                "--user-data-dir=" + profile, "--dump-dom", "--virtual-time-budget=5000", check.toUri().toString()));
        Path o = Files.createTempFile(dir, "chromium", ".out");
        Path e = Files.createTempFile(dir, "chromium", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(o.toFile()).redirectError(e.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish in 120 s");
        }
        String dom = Files.readString(o);
        String log = Files.readString(e);
        assertTrue(dom.contains("ablation-table"), "the rendered DOM lacks the table");
        Matcher chart = Pattern.compile("data-chart=\"(\\w+)\"").matcher(dom);
        assertTrue(chart.find(), "the probe did not run: " + log);
        assertEquals("loaded", chart.group(1), "the chart image in the browser");
        List<String> errors = log.lines().filter(l -> l.contains(":CONSOLE") || l.contains("Uncaught")
                || l.contains("Failed to load resource")).toList();
        assertTrue(errors.isEmpty(), "console errors:\n" + String.join("\n", errors));
    }
}
