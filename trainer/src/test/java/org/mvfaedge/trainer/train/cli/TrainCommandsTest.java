package org.mvfaedge.trainer.train.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.trainer.train.SyntheticData;
import org.mvfaedge.trainer.weights.AdapterCheckpoint;
import picocli.CommandLine;

/** {@code train-few} and {@code train-zero} on generated data with a small random CLIP. */
class TrainCommandsTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path clip;

    @BeforeAll
    static void generate() throws Exception {
        data = tmp.resolve("data");
        for (String o : new String[] {"Brain", "Liver", "Chest"}) {
            SyntheticData.write(data, o, 2, 3, 1, o.hashCode());
        }
        clip = SyntheticData.clip(tmp, 9);
    }

    record Out(int code, String out, String err) {
    }

    static Out run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Out(code, out.toString(), err.toString());
    }

    @Test
    void trainFewWithTheReferenceArgumentNames() throws Exception {
        Path save = tmp.resolve("ckpt");
        Out r = run(new TrainFewCommand(), "--clip", clip.toString(), "--bpe", Fixtures.bpe().toString(), "--obj",
                "Brain", "--data_path", data.toString(), "--fewshot-seed-dir", data.resolve("fewshot_seed").toString(),
                "--shot", "1", "--img_size", "48", "--features_list", "1", "2", "3", "--epoch", "2",
                "--learning_rate", "1e-3", "--save_path", save.toString(), "--seed", "3", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("Brain", j.get("object").asText());
        assertEquals(2, j.get("epochs_run").asInt());
        Path dir = save.resolve("few-shot");
        for (String f : new String[] {"Brain.safetensors", "Brain.json", "Brain.last.safetensors", "Brain.last.json",
            "Brain.log.jsonl", "Brain.png"}) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
        assertEquals(3, AdapterCheckpoint.read(dir.resolve("Brain.safetensors")).levels());
        JsonNode side = new ObjectMapper().readTree(dir.resolve("Brain.json").toFile());
        assertEquals(64, side.at("/run/sources/clip/sha256").asText().length());
        assertEquals("few-shot", side.at("/run/mode").asText());
        // --resume after the last epoch has nothing left to do.
        Out again = run(new TrainFewCommand(), "--clip", clip.toString(), "--bpe", Fixtures.bpe().toString(), "--obj",
                "Brain", "--data-path", data.toString(), "--fewshot-seed-dir", data.resolve("fewshot_seed").toString(),
                "--shot", "1", "--img-size", "48", "--features", "1,2,3", "--epochs", "2", "--save-path",
                save.toString(), "--seed", "3", "--resume", "--json", "--select-on", "valid");
        assertEquals(0, again.code(), again.err());
        assertEquals(0, new ObjectMapper().readTree(again.out()).get("epochs_run").asInt());
    }

    @Test
    void trainZeroLeavesTheObjectOut() throws Exception {
        Path save = tmp.resolve("ckpt-zero");
        Out r = run(new TrainZeroCommand(), "--clip", clip.toString(), "--bpe", Fixtures.bpe().toString(), "--obj",
                "Brain", "--data-path", data.toString(), "--img-size", "48", "--features", "1,2,3", "--epochs", "1",
                "--save-path", save.toString(), "--evaluations-per-epoch", "2", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("[Liver, Chest]"), r.err());
        Path dir = save.resolve("zero-shot");
        assertTrue(Files.isRegularFile(dir.resolve("Brain.safetensors")));
        long evaluations = Files.readAllLines(dir.resolve("Brain.log.jsonl")).stream().filter(s -> !s.isBlank()).count();
        // (2 + 3) x 2 classes x 2 objects = 20 images, evaluated before steps 0 and 10.
        assertEquals(2, evaluations);
    }

    @Test
    void badOptionsAreReported() {
        Out r = run(new TrainFewCommand(), "--clip", clip.toString(), "--bpe", Fixtures.bpe().toString(), "--obj",
                "Brain", "--data-path", data.toString(), "--epochs", "0");
        assertTrue(r.code() != 0);
        assertTrue(r.err().contains("--epochs must be >= 1"), r.err());
    }
}
