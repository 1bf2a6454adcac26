package org.mvfaedge.trainer.train.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mvfaedge.trainer.data.BmadDataset;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.eval.Evaluator;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.text.ObjectInfo;
import org.mvfaedge.trainer.train.AdapterTraining;
import org.mvfaedge.trainer.train.EpochRecord;
import org.mvfaedge.trainer.train.FewShotTrainer;
import org.mvfaedge.trainer.train.PrefixCache;
import org.mvfaedge.trainer.train.Progress;
import org.mvfaedge.trainer.train.ProtocolEvaluation;
import org.mvfaedge.trainer.train.RunFiles;
import org.mvfaedge.trainer.train.ZeroShotTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code train-zero}: train_zero.py, leave one object out. The adapters train on the other objects'
 * data sets and are evaluated on the held-out object's test split five times per epoch; the best
 * checkpoint goes to {@code <save-path>/zero-shot/<Object>.safetensors}.
 */
@Command(name = "train-zero", mixinStandardHelpOptions = true,
        description = "Train the adapters on the other objects' data (MVFA's train_zero.py), evaluating on --obj.")
public final class TrainZeroCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TrainCommonOptions common;

    @Option(names = {"--epochs", "--epoch"}, defaultValue = "50", description = "Epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = {"--lr", "--learning_rate"}, defaultValue = "1e-4",
            description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--train-splits", split = ",", defaultValue = "valid,test", paramLabel = "SPLIT",
            description = "Splits of the other objects to train on (default ${DEFAULT-VALUE}; the reference's"
                    + " train_zero.py reads test only).")
    List<String> trainSplits;

    @Option(names = "--evaluations-per-epoch", defaultValue = "5",
            description = "Evaluations of the held-out object per epoch (default ${DEFAULT-VALUE}, the reference's).")
    int evaluationsPerEpoch;

    @Override
    public Integer call() {
        if (epochs < 1) {
            throw new ParameterException(spec.commandLine(), "--epochs must be >= 1, got " + epochs);
        }
        if (!(lr > 0)) {
            throw new ParameterException(spec.commandLine(), "--lr must be positive, got " + lr);
        }
        List<BmadDataset.Split> splits = new ArrayList<>();
        for (String s : trainSplits) {
            splits.add(switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "valid" -> BmadDataset.Split.VALID;
                case "test" -> BmadDataset.Split.TEST;
                default -> throw new ParameterException(spec.commandLine(), "--train-splits: valid or test, got " + s);
            });
        }
        try (MvfaModel model = MvfaModel.load(common.settings());
                AdapterTraining training = common.training(model, lr)) {
            ObjectInfo heldOut = model.promptConfig().object(common.object);
            BmadDataset target = BmadDataset.open(common.dataPath, heldOut.name(), heldOut.hasMasks());
            List<ZeroShotTrainer.Item> items = new ArrayList<>();
            List<String> used = new ArrayList<>();
            for (ObjectInfo o : model.promptConfig().objects()) {
                if (o.name().equals(heldOut.name()) || !Files.isDirectory(common.dataPath.resolve(o.name() + "_AD"))) {
                    continue;
                }
                BmadDataset ds = BmadDataset.open(common.dataPath, o.name(), o.hasMasks());
                for (BmadDataset.Split split : splits) {
                    for (Sample s : ds.samples(split)) {
                        items.add(new ZeroShotTrainer.Item(o, s));
                    }
                }
                used.add(o.name());
            }
            if (items.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "no other object's data set under " + common.dataPath
                        + ": zero-shot training of " + heldOut.name() + " needs <Other>_AD folders");
            }
            spec.commandLine().getErr().println("train-zero " + heldOut.name() + ": training on " + used + " (" + items.size()
                    + " images)");
            PrefixCache cache = common.cache();
            ProtocolEvaluation evaluator = new ProtocolEvaluation(Evaluator.Protocol.ZERO_SHOT, heldOut,
                    target.samples(BmadDataset.Split.TEST), cache, common.evalBatch);
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("train_objects", used);
            extra.put("train_splits", splits.stream().map(s -> s.name().toLowerCase(Locale.ROOT)).toList());
            extra.put("train_images", items.size());
            RunFiles files = new RunFiles(common.savePath.resolve("zero-shot"), heldOut.name());
            long t0 = System.nanoTime();
            FewShotTrainer.Result result = ZeroShotTrainer.train(training, heldOut, items, evaluator,
                    new ZeroShotTrainer.Options(epochs, common.seed, common.resume, cache, files,
                            common.runInfo("zero-shot", lr, epochs, extra), System.err, Progress.stderrIsTerminal(),
                            evaluationsPerEpoch));
            double seconds = (System.nanoTime() - t0) / 1e9;
            EpochRecord best = result.best();
            if (common.json) {
                ObjectNode n = new ObjectMapper().createObjectNode();
                n.put("object", heldOut.name());
                n.put("mode", "zero-shot");
                n.put("epochs_run", result.epochsRun());
                n.put("seconds", seconds);
                n.put("checkpoint", files.best().toString());
                if (best != null) {
                    n.put("best_epoch", best.epoch());
                    n.put("best_step", best.step());
                    TrainFewCommand.putNum(n, "image_auc", best.metrics().imageAuc());
                    TrainFewCommand.putNum(n, "pixel_auc", best.metrics().pixelAuc());
                    TrainFewCommand.putNum(n, "criterion", best.metrics().criterion());
                }
                spec.commandLine().getOut().println(n.toString());
            } else if (best != null) {
                spec.commandLine().getOut().printf("best: epoch %d step %d: image AUC %.4f, pixel AUC %.4f -> %s (%.1f s)%n",
                        best.epoch() + 1, best.step(), best.metrics().imageAuc(), best.metrics().pixelAuc(), files.best(),
                        seconds);
            }
        }
        return 0;
    }
}
