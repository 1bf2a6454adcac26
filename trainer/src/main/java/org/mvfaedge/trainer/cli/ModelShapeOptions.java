package org.mvfaedge.trainer.cli;

import org.mvfaedge.trainer.pipeline.PaperDefaults;
import picocli.CommandLine.Option;

/**
 * The model's shape on the command line, shared by every command that builds a model (training, testing,
 * export, the benchmarks): image side and adapted layers, with the paper's defaults from
 * {@link PaperDefaults}. MVFA's argparse names are aliases.
 */
public final class ModelShapeOptions {
    @Option(names = {"--img-size", "--img_size"}, defaultValue = PaperDefaults.IMG_SIZE_OPTION, paramLabel = "S",
            description = "Image side the model runs at (default: ${DEFAULT-VALUE}, the paper's).")
    public int imgSize;

    @Option(names = {"--features", "--features_list"}, split = ",", arity = "1..*", paramLabel = "K",
            defaultValue = PaperDefaults.FEATURES_OPTION,
            description = "1-based layers followed by adapters (default: ${DEFAULT-VALUE}, the paper's for ViT-L/14; "
                    + "3,6,9,12 for ViT-B).")
    public int[] features;
}
