package org.mvfaedge.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.sdk.testing.Npy;
import picocli.CommandLine;

/**
 * The acceptance commands, run in-process: {@code ./mvfa test-few|test-zero ... --json} on
 * the fixture's eval data with the paper-format adapters after_3_steps.pth prints the reference's
 * AUCs and the image scores it fed to roc_auc_score.
 */
class TestCommandParityTest {
    @ParameterizedTest
    @CsvSource({"test-few,Brain,few_shot,few_shot_k2_iterate0", "test-few,Chest,few_shot,few_shot_k2_iterate0",
        "test-zero,Brain,zero_shot,zero_shot", "test-zero,Chest,zero_shot,zero_shot"})
    void printsTheReferenceAucsAndScores(String command, String object, String expectedPrefix, String fixtureKey)
            throws Exception {
        FixtureConfig cfg = FixtureConfig.get();
        Path fx = cfg.dir();
        List<String> args = new ArrayList<>(List.of(command, "--clip", fx.resolve("clip/clip-torchscript.pt").toString(),
                "--adapters", fx.resolve("adapters/after_3_steps.pth").toString(),
                "--data-path", fx.resolve("eval/data").toString(), "--obj", object));
        args.addAll(cfg.modelArgs());
        args.addAll(List.of("--bpe", Fixtures.bpe().toString(), "--json"));
        if (command.equals("test-few")) {
            args.addAll(List.of("--fewshot-seed-dir", fx.resolve("eval/dataset/fewshot_seed").toString(),
                    "--shot", "2", "--iterate", "0"));
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute(args.toArray(new String[0]));
        assertEquals(0, rc, err.toString());
        JsonNode r = new ObjectMapper().readTree(out.toString().strip());
        JsonNode expected = cfg.json().get("evaluation").get(object).get(fixtureKey);

        assertEquals(object, r.get("object").asText());
        assertEquals(command.equals("test-few") ? "few-shot" : "zero-shot", r.get("protocol").asText());
        double imgAuc = r.get("image_auc").asDouble();
        System.out.printf("parity %-50s abs diff %.3e (tol 1e-4)%n", command + " " + object + " image AUC",
                Math.abs(imgAuc - expected.get("image_auc").asDouble()));
        // The reference's AUCs hold for the fixture's configuration only: name the one the command ran.
        String ran = command + " " + object + " at " + String.join(" ", cfg.modelArgs());
        assertEquals(expected.get("image_auc").asDouble(), imgAuc, 1e-4, ran + ": image AUC");
        if (expected.has("pixel_auc")) {
            double pxAuc = r.get("pixel_auc").asDouble();
            System.out.printf("parity %-50s abs diff %.3e (tol 1e-4)%n", command + " " + object + " pixel AUC",
                    Math.abs(pxAuc - expected.get("pixel_auc").asDouble()));
            assertEquals(expected.get("pixel_auc").asDouble(), pxAuc, 1e-4, ran + ": pixel AUC");
        } else {
            assertTrue(r.get("pixel_auc").isNull());
        }
        String prefix = "eval/expected/" + object + "_" + expectedPrefix;
        float[] expScores = Npy.read(fx.resolve(prefix + "_image_scores.npy")).floats();
        int[] expLabels = Npy.read(fx.resolve(prefix + "_image_labels.npy")).ints();
        float[] scores = new float[r.get("image_scores").size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = (float) r.get("image_scores").get(i).asDouble();
            assertEquals(expLabels[i], r.get("image_labels").get(i).asInt());
        }
        Fixtures.assertClose(command + " " + object + " image scores", scores, expScores, 1e-4);
        assertEquals("tg00.png", r.get("images").get(0).asText());
        assertEquals(8, r.get("images").size());
    }

    /**
     * With no --adapters, test-zero loads the paper's checkpoint where test_zero.py looks for it
     * ({@code ./ckpt/zero-shot/<obj>.pth}, here under --save-path) and computes the reference's AUCs;
     * with nothing there, the error names both files it looked for.
     */
    @Test
    void findsThePapersCheckpointWhereTheReferenceLooks(@TempDir Path tmp) throws Exception {
        FixtureConfig cfg = FixtureConfig.get();
        Path fx = cfg.dir();
        Files.createDirectories(tmp.resolve("ckpt/zero-shot"));
        Files.copy(fx.resolve("adapters/after_3_steps.pth"), tmp.resolve("ckpt/zero-shot/Brain.pth"));
        List<String> argList = new ArrayList<>(List.of("test-zero", "--clip", fx.resolve("clip/clip-torchscript.pt").toString(),
                "--bpe", Fixtures.bpe().toString(), "--data-path", fx.resolve("eval/data").toString(), "--obj", "Brain",
                "--save-path", tmp.resolve("ckpt").toString(), "--json"));
        argList.addAll(cfg.modelArgs());
        String[] args = argList.toArray(new String[0]);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertEquals(0, cl.execute(args), err.toString());
        JsonNode r = new ObjectMapper().readTree(out.toString().strip());
        JsonNode expected = cfg.json().get("evaluation").get("Brain").get("zero_shot");
        String ran = "test-zero Brain with the checkpoint under --save-path at " + String.join(" ", cfg.modelArgs());
        assertEquals(expected.get("image_auc").asDouble(), r.get("image_auc").asDouble(), 1e-4, ran + ": image AUC");
        assertEquals(expected.get("pixel_auc").asDouble(), r.get("pixel_auc").asDouble(), 1e-4, ran + ": pixel AUC");

        Files.delete(tmp.resolve("ckpt/zero-shot/Brain.pth"));
        StringWriter err2 = new StringWriter();
        CommandLine cl2 = Main.commandLine();
        cl2.setOut(new PrintWriter(new StringWriter()));
        cl2.setErr(new PrintWriter(err2, true));
        assertEquals(2, cl2.execute(args));
        assertTrue(err2.toString().contains("Brain.safetensors (nor "), err2.toString());
        assertTrue(err2.toString().contains("Brain.pth)"), err2.toString());
    }
}
