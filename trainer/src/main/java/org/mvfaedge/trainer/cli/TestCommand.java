package org.mvfaedge.trainer.cli;

import org.mvfaedge.trainer.train.Progress;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.mvfaedge.trainer.data.BmadDataset;
import org.mvfaedge.trainer.data.FewShotSplit;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.eval.Branches;
import org.mvfaedge.trainer.eval.DjlRawScorer;
import org.mvfaedge.trainer.eval.EvaluationResult;
import org.mvfaedge.trainer.eval.Evaluator;
import org.mvfaedge.trainer.heads.MemoryBank;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.text.ObjectInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code test-few} and {@code test-zero}: the paper's evaluation protocols (test_few.py and
 * test_zero.py) on the test split of one object, with the adapters of a checkpoint.
 */
public abstract class TestCommand implements Callable<Integer> {
    @Mixin
    public ModelOptions model;

    @Mixin
    public DataOptions data;

    @Mixin
    public FewShotOptions fewShot;

    @Option(names = "--adapters", paramLabel = "FILE",
            description = "Adapter checkpoint (.safetensors of this project or the paper's .pth); default"
                    + " <save-path>/<few-shot|zero-shot>/<Object>.safetensors, else <Object>.pth there (the paper's).")
    public Path adapters;

    @Option(names = {"--save-path", "--save_path"}, defaultValue = "ckpt", paramLabel = "DIR",
            description = "Checkpoint folder (default: ${DEFAULT-VALUE}).")
    public Path savePath;

    @Option(names = "--batch", defaultValue = "8", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    public int batch;

    @Option(names = "--json", description = "Print one JSON object per evaluated object.")
    public boolean json;

    @Option(names = "--branches", defaultValue = "both", paramLabel = "both|seg|det",
            description = "Adapter branch whose tokens feed the heads: both (the paper: seg -> pixel maps, det -> image"
                    + " scores), or seg or det alone for both outputs (an ablation) (default: ${DEFAULT-VALUE}).")
    public String branches;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    abstract Evaluator.Protocol protocol();

    /**
     * {@code <save-path>/<few-shot|zero-shot>/<Object>.safetensors} (what train-few/train-zero write),
     * else {@code <Object>.pth} beside it: where test_few.py / test_zero.py load from by default
     * ({@code ./ckpt/few-shot/<obj>.pth}, {@code ./ckpt/zero-shot/<obj>.pth}), so the paper's released
     * checkpoints placed as its README says are found without --adapters.
     */
    Path defaultAdapters() {
        Path dir = savePath.resolve(protocol() == Evaluator.Protocol.FEW_SHOT ? "few-shot" : "zero-shot");
        Path ours = dir.resolve(data.obj + ".safetensors");
        Path paper = dir.resolve(data.obj + ".pth");
        return !Files.isRegularFile(ours) && Files.isRegularFile(paper) ? paper : ours;
    }

    @Override
    public Integer call() {
        Path adapterFile = adapters != null ? adapters : defaultAdapters();
        if (!Files.isRegularFile(adapterFile)) {
            throw new IllegalArgumentException("adapter checkpoint not found: " + adapterFile
                    + (adapters != null ? "" : " (nor " + adapterFile.resolveSibling(data.obj + ".pth") + ")")
                    + " (train one with train-few/train-zero, or pass --adapters FILE)");
        }
        PrintWriter out = spec.commandLine().getOut();
        Branches which = Branches.parse(branches);
        try (MvfaModel m = MvfaModel.load(model.settings(adapterFile))) {
            ObjectInfo object = m.promptConfig().object(data.obj);
            BmadDataset dataset = BmadDataset.open(data.dataPath, object.name(), object.hasMasks());
            List<Sample> test = dataset.samples(BmadDataset.Split.TEST);
            Progress bar = Progress.to("evaluate " + object.name(), test.size(), json ? null : System.err);
            EvaluationResult r;
            if (protocol() == Evaluator.Protocol.FEW_SHOT) {
                FewShotSplit split = fewShot.split(dataset, data.seed);
                try (MemoryBank bank = m.memoryBank(Sample.preprocessed(split.normal(), model.imgSize()), batch)) {
                    r = new Evaluator(new DjlRawScorer(m, object, bank, which), batch).fewShot(object, test, bar::update);
                }
            } else {
                r = new Evaluator(new DjlRawScorer(m, object, null, which), batch).zeroShot(object, test, bar::update);
            }
            bar.done();
            if (json) {
                com.fasterxml.jackson.databind.node.ObjectNode n = r.toJson(new ObjectMapper());
                if (which != Branches.BOTH) {
                    n.put("branches", which.id());
                }
                out.println(n.toString());
            } else {
                out.println(r.summary());
            }
        }
        out.flush();
        return 0;
    }

    /** test_few.py: memory bank of the augmented normal shots, zero- and few-shot maps combined. */
    @Command(name = "test-few", mixinStandardHelpOptions = true,
            description = "Evaluate few-shot adapters with the paper's protocol (test_few.py).")
    public static final class Few extends TestCommand {
        @Override
        Evaluator.Protocol protocol() {
            return Evaluator.Protocol.FEW_SHOT;
        }
    }

    /** test_zero.py: zero-shot maps and scores only. */
    @Command(name = "test-zero", mixinStandardHelpOptions = true,
            description = "Evaluate zero-shot adapters with the paper's protocol (test_zero.py).")
    public static final class Zero extends TestCommand {
        @Override
        Evaluator.Protocol protocol() {
            return Evaluator.Protocol.ZERO_SHOT;
        }
    }
}
