package org.mvfaedge.trainer.cli;

import java.nio.file.Path;
import org.mvfaedge.trainer.data.BmadDataset;
import org.mvfaedge.trainer.data.FewShotSplit;
import picocli.CommandLine.Option;

/** The data set and the few-shot split of a run (BMAD layout, the paper's split files). */
public final class DataOptions {
    @Option(names = "--obj", required = true, paramLabel = "OBJECT",
            description = "Object (data set): Brain, Liver, Retina_RESC, Retina_OCT2017, Chest, Histopathology, or one of --objects.")
    public String obj;

    // Defaults: test_few.py / test_zero.py's --data_path './data/', and the split files medical_few.py
    // opens at './dataset/fewshot_seed/<Object>/<k>-shot.txt' (the same as train-few's).
    @Option(names = {"--data-path", "--data_path"}, defaultValue = "./data/", paramLabel = "DIR",
            description = "Folder holding <Object>_AD/{valid,test}/{good,Ungood}/img (default: ${DEFAULT-VALUE}, the paper's).")
    public Path dataPath;

    @Option(names = {"--fewshot-seed-dir"}, defaultValue = "./dataset/fewshot_seed", paramLabel = "DIR",
            description = "Folder of the paper's few-shot splits (<Object>/<k>-shot.txt) (default: ${DEFAULT-VALUE},"
                    + " where the paper's code reads them).")
    public Path fewshotSeedDir;

    @Option(names = "--shot", defaultValue = "4", paramLabel = "K", description = "Shots (default: ${DEFAULT-VALUE}).")
    public int shot;

    @Option(names = "--iterate", defaultValue = "0", paramLabel = "I",
            description = "Split number in the split file; negative: a random draw with --seed (default: ${DEFAULT-VALUE}).")
    public int iterate;

    @Option(names = "--seed", defaultValue = "111", description = "Random seed (default: ${DEFAULT-VALUE}, the paper's).")
    public long seed;

    /** The few-shot split of this run. */
    public FewShotSplit split(BmadDataset data) {
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
