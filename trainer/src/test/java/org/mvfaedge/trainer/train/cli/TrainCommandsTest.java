package org.mvfaedge.trainer.train.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.trainer.text.PromptConfig;
import org.mvfaedge.trainer.train.MedicalZeroReference;
import org.mvfaedge.trainer.train.SyntheticData;
import org.mvfaedge.trainer.train.ZeroShotTrainer;
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
        assertTrue(r.err().contains("training on the test split of [Liver, Chest] (12 images), as train_zero.py"),
                r.err());
        assertTrue(r.err().contains("no data set for Retina_RESC, Retina_OCT2017, Histopathology"), r.err());
        Path dir = save.resolve("zero-shot");
        assertTrue(Files.isRegularFile(dir.resolve("Brain.safetensors")));
        long evaluations = Files.readAllLines(dir.resolve("Brain.log.jsonl")).stream().filter(s -> !s.isBlank()).count();
        // 3 test images x 2 classes x 2 objects = 12 images (the valid splits are not read), evaluated
        // before steps 0 and 6.
        assertEquals(2, evaluations);
        JsonNode run = new ObjectMapper().readTree(dir.resolve("Brain.json").toFile()).get("run");
        assertEquals("[\"test\"]", run.get("train_splits").toString());
        assertEquals(12, run.get("train_images").asInt());
        assertEquals("[\"Liver\",\"Chest\"]", run.get("train_objects").toString());
        assertTrue(run.get("departures") == null, run.toString());
        Map<String, String> meta = new HashMap<>();
        AdapterCheckpoint.read(dir.resolve("Brain.safetensors"), meta);
        assertEquals("test", meta.get("train_splits"));
        assertEquals("Liver,Chest", meta.get("train_objects"));
    }

    /** valid,test is the opt-in departure: named on stderr, in the sidecars and checkpoints, and kept on --resume. */
    @Test
    void trainZeroOnValidAndTestIsRecordedAsADeparture() throws Exception {
        Path save = tmp.resolve("ckpt-zero-valid");
        String[] args = {"--clip", clip.toString(), "--bpe", Fixtures.bpe().toString(), "--obj", "Brain",
            "--data-path", data.toString(), "--img-size", "48", "--features", "1,2,3", "--epochs", "1",
            "--save-path", save.toString(), "--evaluations-per-epoch", "1", "--train-splits", "valid,test"};
        Out r = run(new TrainZeroCommand(), args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("training on the valid+test splits of [Liver, Chest] (20 images)"), r.err());
        assertTrue(r.err().contains("departs from the reference"), r.err());
        Path dir = save.resolve("zero-shot");
        for (String sidecar : List.of("Brain.json", "Brain.last.json")) {
            JsonNode run = new ObjectMapper().readTree(dir.resolve(sidecar).toFile()).get("run");
            assertEquals("[\"valid\",\"test\"]", run.get("train_splits").toString(), sidecar);
            assertEquals(20, run.get("train_images").asInt(), sidecar);
            assertTrue(run.get("departures").get(0).asText().contains("test splits only"), sidecar);
        }
        Map<String, String> meta = new HashMap<>();
        AdapterCheckpoint.read(dir.resolve("Brain.safetensors"), meta);
        assertEquals("valid,test", meta.get("train_splits"));
        // Resuming that state on the default (test only) data is refused, with the reason.
        List<String> resume = new ArrayList<>(List.of(args).subList(0, args.length - 2));
        resume.set(resume.indexOf("--epochs") + 1, "2");
        resume.add("--resume");
        Out again = run(new TrainZeroCommand(), resume.toArray(new String[0]));
        assertTrue(again.code() != 0);
        assertTrue(again.err().contains("trained with train_splits valid,test, this run has test"), again.err());
    }

    /**
     * The command's default data, through its own option parsing, is the reference's list: on the
     * fixture's data sets under all six objects' names, each object held out in turn.
     */
    @Test
    void theDefaultTrainingDataIsTheReferences() throws Exception {
        Path six = tmp.resolve("six");
        Path fx = Fixtures.tinyA().resolve("eval/data");
        for (String o : List.of("Brain", "Liver", "Retina_RESC")) {
            MedicalZeroReference.copyTree(fx.resolve("Brain_AD"), six.resolve(o + "_AD"));
        }
        for (String o : List.of("Retina_OCT2017", "Chest", "Histopathology")) {
            MedicalZeroReference.copyTree(fx.resolve("Chest_AD"), six.resolve(o + "_AD"));
        }
        for (String heldOut : List.of("Brain", "Liver", "Retina_RESC", "Retina_OCT2017", "Chest", "Histopathology")) {
            TrainZeroCommand command = new TrainZeroCommand();
            new CommandLine(command).parseArgs("--clip", "unused.pt", "--bpe", "unused.txt.gz", "--obj", heldOut,
                    "--data-path", six.toString());
            List<MedicalZeroReference.Entry> got = new ArrayList<>();
            for (ZeroShotTrainer.Item it : command.trainingSet(PromptConfig.builtIn()).items()) {
                got.add(new MedicalZeroReference.Entry(it.object().name(), it.sample().image(), it.sample().label(),
                        it.object().hasMasks() ? it.sample().mask() : null));
            }
            assertEquals(MedicalZeroReference.trainList(six, heldOut, List.of("test"), false), got, heldOut);
        }
    }

    @Test
    void badOptionsAreReported() {
        Out r = run(new TrainFewCommand(), "--clip", clip.toString(), "--bpe", Fixtures.bpe().toString(), "--obj",
                "Brain", "--data-path", data.toString(), "--epochs", "0");
        assertTrue(r.code() != 0);
        assertTrue(r.err().contains("--epochs must be >= 1"), r.err());
    }
}
