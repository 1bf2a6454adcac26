package org.mvfaedge.trainer.cli;

import java.nio.file.Path;
import org.mvfaedge.trainer.pipeline.PaperDefaults;
import picocli.CommandLine.Option;

/** The object and data set of a run (BMAD layout) and its seed; shared by {@code train-*} and {@code test-*}. */
public final class DataOptions {
    @Option(names = "--obj", required = true, paramLabel = "OBJECT",
            description = "Object (data set): Brain, Liver, Retina_RESC, Retina_OCT2017, Chest, Histopathology, or one of --objects.")
    public String obj;

    // Default: the four scripts' --data_path './data/'.
    @Option(names = {"--data-path", "--data_path"}, defaultValue = "./data/", paramLabel = "DIR",
            description = "Folder holding <Object>_AD/{valid,test}/{good,Ungood}/img (default: ${DEFAULT-VALUE}, the paper's).")
    public Path dataPath;

    @Option(names = "--seed", defaultValue = PaperDefaults.SEED_OPTION,
            description = "Random seed: shuffling, fresh adapters, a random few-shot draw (default: ${DEFAULT-VALUE}, the paper's).")
    public long seed;
}
