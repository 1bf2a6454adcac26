package org.mvfaedge.sdk.pkg;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of a model package: what the model is, how it was made, how to feed it, and
 * how to turn its raw outputs into a calibrated score and a decision (Anomalib-style metadata beside
 * the exported model). Field names are snake_case in the JSON. The format is published as a JSON Schema,
 * {@code manifest.schema.json} beside this class (a resource of the SDK jar), against which the tests
 * validate every package they write.
 *
 * @param format always {@link #FORMAT}
 * @param formatVersion {@code major.minor}; an SDK refuses a newer major version
 * @param modelId identifier chosen at export (object, mode, time)
 * @param created ISO-8601 creation time (UTC)
 * @param producer the software that wrote the package
 * @param object the object the model detects anomalies of
 * @param mode zero-shot or few-shot, with the few-shot split
 * @param model the network: file, hash, geometry, adapter levels
 * @param preprocessing how pixels must be prepared: the SDK builds its preprocessing from it and refuses a
 *     package asking for one it does not implement ({@link org.mvfaedge.sdk.image.PreprocessingSpec})
 * @param inputs graph inputs
 * @param outputs graph outputs (raw, before calibration)
 * @param sources sha256 of every file the package was made from (CLIP weights, adapters, BPE, ...)
 * @param calibration statistics, combination rule and decision threshold
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Manifest(String format, String formatVersion, String modelId, String created, String producer,
        ObjectSpec object, Mode mode, Model model, Preprocessing preprocessing, List<Tensor> inputs,
        List<Tensor> outputs, Map<String, SourceFile> sources, Calibration calibration) {

    /** Value of the {@code format} field. */
    public static final String FORMAT = "mvfa-edge-model-package";
    /** The format version this SDK writes; it reads every version with the same major number. */
    public static final String FORMAT_VERSION = "1.0";

    /** The object: its name, the real name used in the prompts, and whether it has pixel masks. */
    public record ObjectSpec(String name, String realName, boolean hasMasks) {
    }

    /**
     * @param protocol {@code few-shot} or {@code zero-shot}
     * @param shot few-shot k (0 for zero-shot)
     * @param iterate split number in the paper's split file, or -1 for a seeded random draw
     * @param seed random seed of the draw
     * @param supportImages file names of the normal shots in the memory bank
     * @param memoryBankRows rows per level of the memory bank (0 for zero-shot)
     * @param bankReduction how the bank was reduced to a row budget, or null (absent from the JSON) when
     *     it holds every row of its images
     * @param bankPrecision {@code fp16} when the bank is stored in float16 (the graph casts it to float32),
     *     or null (absent: float32, or the graph's precision)
     */
    public record Mode(String protocol, int shot, int iterate, long seed, List<String> supportImages,
            long memoryBankRows, @JsonInclude(JsonInclude.Include.NON_NULL) BankReduction bankReduction,
            @JsonInclude(JsonInclude.Include.NON_NULL) String bankPrecision) {
        /** A mode whose bank holds every row, stored as the graph's precision (the fields before the bank's). */
        public Mode(String protocol, int shot, int iterate, long seed, List<String> supportImages, long memoryBankRows) {
            this(protocol, shot, iterate, seed, supportImages, memoryBankRows, null, null);
        }

        public boolean fewShot() {
            return "few-shot".equals(protocol);
        }
    }

    /**
     * A memory bank reduced by greedy k-center coreset selection ({@code org.mvfaedge.sdk.bank}).
     *
     * @param method {@code greedy-k-center}
     * @param budget rows kept per level and branch (the most; fewer when fewer rows came in)
     * @param rowsBefore rows per level the bank would hold without the budget (for enrollment: the
     *     package's rows when appending, plus every enrolled image's rows)
     * @param rowsAfter rows per level kept
     * @param seed the selection's seed (random projection and first row)
     * @param projectionDims width of the random projection the distances were computed in
     */
    public record BankReduction(String method, long budget, long rowsBefore, long rowsAfter, long seed,
            int projectionDims) {
    }

    /**
     * @param file graph file name inside the package
     * @param sha256 hash of the graph file
     * @param externalData file of the large tensors beside the graph, or null when inline
     * @param externalDataSha256 its hash, or null
     * @param opset ONNX opset of the default domain
     * @param precision {@code fp32} or {@code fp16}
     * @param imgSize the side S of the input
     * @param patch ViT patch size
     * @param grid patches per side ({@code imgSize / patch})
     * @param width ViT width
     * @param layers ViT depth
     * @param features 1-based layers followed by adapters
     * @param bottleneck adapter bottleneck (token width)
     * @param activation {@code gelu} or {@code quick-gelu}
     */
    public record Model(String file, String sha256, String externalData, String externalDataSha256, int opset,
            String precision, int imgSize, int patch, int grid, int width, int layers, List<Integer> features,
            int bottleneck, String activation) {
        public int levels() {
            return features.size();
        }
    }

    /**
     * @param resize {@code pil-bicubic}: PIL-compatible bicubic to S x S
     * @param size S, equal to {@code model.img_size}
     * @param scale multiplier after resizing ({@code 1/255})
     * @param normalize {@code none}: MVFA feeds unnormalised pixels
     * @param channels {@code RGB}
     * @param layout {@code NCHW}
     */
    public record Preprocessing(String resize, int size, double scale, String normalize, String channels,
            String layout) {
    }

    /** A graph input or output: name, dtype and shape ({@code "N"} for the dynamic batch). */
    public record Tensor(String name, String dtype, List<Object> shape) {
    }

    /** A source file: its name as given and its sha256. */
    public record SourceFile(String file, String sha256) {
    }

    /** Per-output statistics on the calibration set. */
    public record Stats(double min, double max, double mean, double p01, double p99) {
    }

    /**
     * The operating point the threshold was chosen at, measured on the calibration set.
     */
    public record OperatingPoint(double sensitivity, double specificity, double precision, double f1,
            int positives, int negatives) {
    }

    /**
     * How raw outputs become a calibrated image score and a decision.
     *
     * @param source {@code valid}, {@code shots} or {@code none}
     * @param images images in the calibration set
     * @param statistics per raw output name (e.g. {@code zero_map}), min/max used for normalisation
     * @param combination {@code 0.5*norm(zero)+0.5*norm(few)} for few-shot packages, {@code norm(zero)} for
     *     zero-shot ones; norm(x) = (x - min) / (max - min) with the statistics above, as the paper's
     *     set-level normalisation but with statistics fixed at export
     * @param imageScore {@code max-of-map} (objects with masks: the combined map's maximum) or
     *     {@code combined-scores} (image-level objects: the combined det scores)
     * @param threshold decision threshold on the calibrated image score
     * @param thresholdRule {@code best-f1}, {@code target-sensitivity} or {@code default}
     * @param targetSensitivity the requested sensitivity for {@code target-sensitivity}, else null
     * @param operatingPoint what the threshold reaches on the calibration set (null without labels)
     */
    public record Calibration(String source, int images, Map<String, Stats> statistics, String combination,
            String imageScore, double threshold, String thresholdRule, Double targetSensitivity,
            OperatingPoint operatingPoint) {
    }
}
