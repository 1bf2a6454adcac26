package org.mvfaedge.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.trainer.model.Activation;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The defaults of the training and evaluation commands, as the command line parses them with no
 * option given, against the reference's: the paper's defaults recorded in
 * {@code ../shared/mvfa/prompts.json} (read here with plain JSON, not through the trainer's
 * PromptConfig), and the argparse defaults and hard-coded paths of MVFA's train_few.py,
 * train_zero.py, test_few.py, test_zero.py and dataset/medical_few.py, quoted where used.
 */
class CommandDefaultsTest {
    static JsonNode paper;

    @BeforeAll
    static void paperDefaults() throws IOException {
        paper = new ObjectMapper().readTree(Fixtures.shared().resolve("mvfa/prompts.json").toFile()).get("defaults");
    }

    /** The subcommand's options after parsing only the options that have no default. */
    static CommandSpec parsed(String command) {
        CommandLine cl = Main.commandLine();
        CommandLine.ParseResult r = cl.parseArgs(command, "--clip", "ViT-L-14-336px.pt", "--bpe",
                "bpe_simple_vocab_16e6.txt.gz", "--obj", "Brain");
        return r.subcommand().commandSpec();
    }

    static Object value(CommandSpec spec, String option) {
        return spec.findOption(option).getValue();
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    @Test
    void everyCommandRunsAtThePapersSizeAndLayers() {
        for (String c : List.of("train-few", "train-zero", "test-few", "test-zero")) {
            CommandSpec spec = parsed(c);
            assertEquals(paper.get("img_size").asInt(), value(spec, "--img-size"), c);
            assertArrayEquals(ints(paper.get("features")), (int[]) value(spec, "--features"), c);
            // MVFA's create_model builds CLIP without quick_gelu (fixture.json's "activation").
            // (train-* leave the option unset and fall back to Activation.defaultChoice().)
            Object activation = value(spec, "--activation");
            assertEquals("gelu", activation == null ? Activation.defaultChoice().id() : activation, c);
            // --data_path default='./data/' in all four scripts.
            assertEquals(Path.of("./data/"), value(spec, "--data-path"), c);
        }
    }

    @Test
    void trainFewSchedule() {
        CommandSpec spec = parsed("train-few");
        JsonNode few = paper.get("few_shot");
        assertEquals(few.get("epochs").asInt(), value(spec, "--epochs"));
        assertEquals(few.get("lr").asDouble(), (double) value(spec, "--lr"), 0);
        assertEquals(few.get("shot").asInt(), value(spec, "--shot"));
        assertEquals(few.get("iterate").asInt(), value(spec, "--iterate"));
        assertEquals(few.get("seed").asLong(), value(spec, "--seed"));
        // medical_few.py opens './dataset/fewshot_seed/<obj>/<shot>-shot.txt'.
        assertEquals(Path.of("./dataset/fewshot_seed"), value(spec, "--fewshot-seed-dir"));
        // train_few.py chooses the checkpoint on the test split; loss = BCEWithLogitsLoss on the score.
        assertEquals("test", value(spec, "--select-on"));
        assertEquals("bce-with-logits", value(spec, "--det-loss"));
    }

    @Test
    void trainZeroSchedule() {
        CommandSpec spec = parsed("train-zero");
        JsonNode zero = paper.get("zero_shot");
        assertEquals(zero.get("epochs").asInt(), value(spec, "--epochs"));
        assertEquals(zero.get("lr").asDouble(), (double) value(spec, "--lr"), 0);
        assertEquals(zero.get("seed").asLong(), value(spec, "--seed"));
        // medical_zero.py reads <Object>_AD/test only; train_zero.py evaluates when idx % (len // 5) == 0.
        assertEquals(List.of("test"), value(spec, "--train-splits"));
        assertEquals(5, value(spec, "--evaluations-per-epoch"));
        assertEquals("bce-with-logits", value(spec, "--det-loss"));
    }

    /** test_few.py reads the same data and split files as train_few.py, with its shot/iterate/seed. */
    @Test
    void testFewReadsWhatTrainFewTrainedOn() {
        CommandSpec test = parsed("test-few");
        CommandSpec train = parsed("train-few");
        for (String option : List.of("--data-path", "--fewshot-seed-dir", "--shot", "--iterate", "--seed")) {
            assertEquals(value(train, option), value(test, option), option);
        }
        // test_few.py / test_zero.py load ./ckpt/few-shot/<obj>.pth, ./ckpt/zero-shot/<obj>.pth.
        assertEquals(Path.of("ckpt"), value(test, "--save-path"));
        assertEquals(Path.of("ckpt"), value(parsed("test-zero"), "--save-path"));
    }
}
