package org.mvfaedge.trainer.cli;

import org.mvfaedge.trainer.train.Progress;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.mvfaedge.sdk.pkg.Manifest;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.runtime.OnnxRawScorer;
import org.mvfaedge.trainer.data.BmadDataset;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.eval.EvaluationResult;
import org.mvfaedge.trainer.eval.Evaluator;
import org.mvfaedge.trainer.text.ObjectInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code evaluate}: the paper's evaluation protocol (few- or zero-shot, from the package's mode) run on
 * an exported package in ONNX Runtime, with the package's own memory bank. Same output as
 * {@code test-few} / {@code test-zero}.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a model package on ONNX Runtime with the paper's protocol.")
public final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model package folder.")
    Path model;

    @Option(names = {"--data-path", "--data_path"}, required = true, paramLabel = "DIR", description = "BMAD data.")
    Path dataPath;

    @Option(names = "--obj", description = "Object (default: the package's).")
    String obj;

    @Option(names = "--batch", defaultValue = "8", description = "Images per pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ModelPackage pkg = ModelPackage.open(model);
        Manifest m = pkg.manifest();
        Manifest.ObjectSpec o = m.object();
        if (obj != null && !obj.equals(o.name())) {
            throw new IllegalArgumentException("the package detects " + o.name() + ", not " + obj);
        }
        ObjectInfo object = new ObjectInfo(o.name(), o.realName(), o.hasMasks() ? 1 : -1, o.hasMasks());
        List<Sample> test = BmadDataset.open(dataPath, o.name(), o.hasMasks()).samples(BmadDataset.Split.TEST);
        Progress bar = Progress.to("evaluate " + o.name(), test.size(), json ? null : System.err);
        EvaluationResult r;
        try (OnnxRawScorer scorer = OnnxRawScorer.cpu(pkg.modelFile(), m.model().imgSize())) {
            Evaluator e = new Evaluator(scorer, batch);
            r = m.mode().fewShot() ? e.fewShot(object, test, bar::update) : e.zeroShot(object, test, bar::update);
        }
        bar.done();
        spec.commandLine().getOut().println(json ? r.toJson(new ObjectMapper()).toString() : r.summary());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
