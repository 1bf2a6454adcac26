package org.mvfaedge.trainer.demo;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.mvfaedge.trainer.eval.EvaluationResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./mvfa demo}: the whole pipeline out of the box, on generated data and a random tiny CLIP
 * (see {@link DemoRun}). Progress goes to stdout as it happens; the last line is exactly
 * {@code demo: image AUC <a>, pixel AUC <p>, <n> s} (the brain object's few-shot AUCs, the paper's
 * protocol), for scripts.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Generate demo data, create a tiny random CLIP, train few-shot adapters, evaluate (few- and "
                + "zero-shot), export a package, score it through the SDK and write <out>/report.html.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "build/demo", paramLabel = "DIR",
            description = "Output folder (default: ${DEFAULT-VALUE}); earlier demo output there is replaced.")
    Path out;

    @Option(names = "--size", defaultValue = "full", paramLabel = "small|full",
            description = "full: 224 px, 60 + 40 test images, 4 shots, 2 epochs (about 50 s on 2 idle cores); "
                    + "small: 160 px, 60 + 16 test images, 4 shots, 2 epochs (about 16 s). Default: ${DEFAULT-VALUE}.")
    String size;

    @Option(names = "--epochs", paramLabel = "N", description = "Training epochs per object (default: the size's).")
    Integer epochs;

    @Option(names = "--seed", defaultValue = org.mvfaedge.trainer.pipeline.PaperDefaults.SEED_OPTION,
            description = "Seed of data, CLIP and training (default: ${DEFAULT-VALUE}).")
    long seed;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DemoRun.singleThreadedTorch();
        DemoPlan plan = DemoPlan.named(size);
        if (epochs != null) {
            plan = plan.withEpochs(epochs);
        }
        // Progress and results on stdout, as they happen (the last line is the summary for scripts).
        PrintStream log = System.out;
        DemoRun.Outcome o = new DemoRun(plan, out, seed, log).run();
        Path pkg = o.packageDir();
        Path probe = o.sdk().samples().get(o.sdk().samples().size() - 1).image();
        log.println();
        log.println("Report: " + o.report().toAbsolutePath());
        log.println("Serve the package over HTTP:");
        log.println("  ./mvfa serve --model " + pkg + " --insecure-no-auth");
        log.println("  curl -s -X POST -H 'Content-Type: image/png' --data-binary @" + probe
                + " http://localhost:8080/v1/detect");
        log.println("Evaluate again from the command line:");
        log.println("  ./mvfa test-few --clip " + out.resolve("clip/tiny-clip.safetensors") + " --bpe bytes --objects "
                + out.resolve("objects.json") + " --img-size " + plan.imageSize() + " --features "
                + joined(plan.features()) + " --data-path " + out.resolve("data") + " --fewshot-seed-dir "
                + out.resolve("fewshot_seed") + " --obj " + DemoData.BRAIN + " --shot " + plan.shot() + " --adapters "
                + out.resolve("ckpt/few-shot/" + DemoData.BRAIN + ".safetensors"));
        log.println("A random tiny CLIP stood in for the real one: the few-shot memory bank finds the demo's (mostly dark) "
                + "lesions by their appearance alone; zero-shot text prompts mean nothing through a random text tower. "
                + "For real weights and data see docs/DEMO.md.");
        EvaluationResult h = o.headline();
        log.println(String.format(Locale.ROOT, "demo: image AUC %.3f, pixel AUC %.3f, %d s", h.imageAuc(),
                h.pixelAuc(), Math.round(o.seconds())));
        log.flush();
        return 0;
    }

    private static String joined(int[] a) {
        StringBuilder b = new StringBuilder();
        for (int x : a) {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(x);
        }
        return b.toString();
    }
}
