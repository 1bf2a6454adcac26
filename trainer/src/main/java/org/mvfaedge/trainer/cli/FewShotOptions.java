package org.mvfaedge.trainer.cli;

import java.nio.file.Path;
import org.mvfaedge.trainer.data.BmadDataset;
import org.mvfaedge.trainer.data.FewShotSplit;
import org.mvfaedge.trainer.pipeline.PaperDefaults;
import picocli.CommandLine.Option;

/** Which few-shot split a run uses (the paper's split files, or a seeded draw); {@code train-few}, {@code test-*}, {@code export}. */
public final class FewShotOptions {
    // The split files medical_few.py opens at './dataset/fewshot_seed/<Object>/<k>-shot.txt'.
    @Option(names = {"--fewshot-seed-dir"}, defaultValue = "./dataset/fewshot_seed", paramLabel = "DIR",
            description = "Folder of the paper's few-shot splits (<Object>/<k>-shot.txt) (default: ${DEFAULT-VALUE},"
                    + " where the paper's code reads them).")
    public Path fewshotSeedDir;

    @Option(names = "--shot", defaultValue = PaperDefaults.SHOT_OPTION, paramLabel = "K",
            description = "k: shots per class (default: ${DEFAULT-VALUE}).")
    public int shot;

    @Option(names = "--iterate", defaultValue = PaperDefaults.ITERATE_OPTION, paramLabel = "I",
            description = "Split number in the split file; negative: a random draw with --seed (default: ${DEFAULT-VALUE}).")
    public int iterate;

    /** The few-shot split of this run. */
    public FewShotSplit split(BmadDataset data, long seed) {
        return split(data, fewshotSeedDir, shot, iterate, seed);
    }

    /** The paper's split {@code iterate} from the split files, or a seeded draw when it is negative. */
    public static FewShotSplit split(BmadDataset data, Path fewshotSeedDir, int shot, int iterate, long seed) {
        if (iterate < 0) {
            return FewShotSplit.random(data, shot, seed);
        }
        if (fewshotSeedDir == null) {
            throw new IllegalArgumentException("--iterate " + iterate + " reads the paper's split files: pass "
                    + "--fewshot-seed-dir DIR (holding <Object>/<k>-shot.txt), or --iterate -1 for a random draw");
        }
        return FewShotSplit.fromSeedFile(data, fewshotSeedDir, shot, iterate);
    }
}
