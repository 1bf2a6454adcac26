package org.mvfaedge.trainer.export;

import static org.mvfaedge.sdk.onnx.OnnxAttributes.i;
import static org.mvfaedge.sdk.onnx.OnnxAttributes.ints;
import static org.mvfaedge.sdk.onnx.OnnxAttributes.s;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mvfaedge.sdk.onnx.MvfaGraphNames;
import org.mvfaedge.sdk.onnx.OnnxGraph;
import org.mvfaedge.trainer.weights.HostTensor;

/**
 * Emits MVFA's per-level heads (the reference's test_zero.py and test_few.py, batched) on the
 * adapter tokens and sums them over levels. Each level's patch tokens (CLS dropped) are
 * L2-normalised, then:
 * <ul>
 * <li>zero-shot pixel map: logits = 100 * seg tokens @ text, upsampled bilinearly (align_corners)
 *     to S x S, softmax over the two channels, abnormal channel;</li>
 * <li>zero-shot image score: mean over patches of softmax(100 * det tokens @ text)[abnormal];</li>
 * <li>few-shot maps: 1 - max cosine similarity to the level's bank, upsampled the same way; the seg
 *     map is the pixel map, the det map's mean the image score.</li>
 * </ul>
 */
final class AnomalyHeadsGraph {
    /** CLIP's logit scale as MVFA hard-codes it (the DJL head's). */
    private static final float LOGIT_SCALE = org.mvfaedge.trainer.pipeline.PaperDefaults.LOGIT_SCALE;
    /** The reference's {@code cos_sim} clamps norms at this. */
    private static final float COS_EPS = 1e-8f;

    private final OnnxGraph g;
    private final int grid;
    private final int size;
    private final String batch;
    private final String text;
    /** Patch slices and norms per token value, shared by the zero- and few-shot heads. */
    private final Map<String, String> patchesOf = new HashMap<>();
    private final Map<String, String> normOf = new HashMap<>();

    AnomalyHeadsGraph(OnnxGraph g, VisionGeometry geo, int imageSize, String batch, HostTensor textFeatures) {
        this.g = g;
        this.grid = geo.grid();
        this.size = imageSize;
        this.batch = batch;
        this.text = g.initializer("text_features", textFeatures.shape(), textFeatures.floats());
    }

    /** Zero-shot outputs {@code zero_map} [N,S,S] and {@code zero_score} [N]. */
    void zeroShot(List<VisionTowerGraph.LevelTokens> levels) {
        String map = null;
        String score = null;
        String sizes = g.op("Concat", List.of(batch, g.int64s(2, size, size)), i("axis", 0));
        for (VisionTowerGraph.LevelTokens level : levels) {
            // Reference quirk: the zero-shot heads divide by the plain norm (no eps), unlike cos_sim.
            String segLogits = logits(normalise(patches(level.seg()), false)); // [N,G*G,2]
            String grid2 = g.op("Reshape", g.op("Transpose", List.of(segLogits), ints("perm", 0, 2, 1)),
                    g.int64s(0, 0, grid, grid));
            // Reference order: upsample the logits first, softmax over the channels afterwards.
            String prob = g.op("Softmax", List.of(upsample(grid2, sizes)), i("axis", 1));
            String levelMap = g.op("Gather", List.of(prob, g.int64Scalar(1)), i("axis", 1)); // [N,S,S]
            map = map == null ? levelMap : g.op("Add", map, levelMap);

            String detLogits = logits(normalise(patches(level.det()), false));
            String detProb = g.op("Gather", List.of(g.op("Softmax", List.of(detLogits), i("axis", -1)), g.int64Scalar(1)),
                    i("axis", 2)); // [N,G*G]
            String levelScore = g.op("ReduceMean", List.of(detProb), ints("axes", 1), i("keepdims", 0));
            score = score == null ? levelScore : g.op("Add", score, levelScore);
        }
        publishMap(map, MvfaGraphNames.ZERO_MAP);
        publishScore(score, MvfaGraphNames.ZERO_SCORE);
    }

    /**
     * Few-shot outputs {@code few_map} [N,S,S] (seg tokens vs seg bank) and {@code few_score} [N] (mean
     * of the det tokens' map vs the det bank). Banks are initializers named by {@link MvfaGraphNames},
     * rows already L2-normalised.
     */
    void fewShot(List<VisionTowerGraph.LevelTokens> levels, MemoryBankRows bank) {
        String sizes = g.op("Concat", List.of(batch, g.int64s(1, size, size)), i("axis", 0));
        String segMap = null;
        String detMap = null;
        for (int k = 0; k < levels.size(); k++) {
            String seg = distanceMap(levels.get(k).seg(), MvfaGraphNames.segMemory(k), bank.seg().get(k), sizes);
            String det = distanceMap(levels.get(k).det(), MvfaGraphNames.detMemory(k), bank.det().get(k), sizes);
            segMap = segMap == null ? seg : g.op("Add", segMap, seg);
            detMap = detMap == null ? det : g.op("Add", detMap, det);
        }
        publishMap(g.op("Reshape", segMap, g.int64s(-1, size, size)), MvfaGraphNames.FEW_MAP);
        // Reference: the image score is the mean of the upsampled, level-summed det map.
        publishScore(g.op("ReduceMean", List.of(detMap), ints("axes", 1, 2, 3), i("keepdims", 0)), MvfaGraphNames.FEW_SCORE);
    }

    /** 1 - max over bank rows of the cosine similarity, upsampled: [N,1,S,S]. */
    private String distanceMap(String tokens, String bankName, HostTensor bankTokens, String sizes) {
        int dim = (int) bankTokens.dim(1);
        String bank = g.initializer(bankName, bankTokens.shape(), MemoryBankRows.normalisedRows(bankTokens));
        String q = g.op("Reshape", normalise(patches(tokens), true), g.int64s(-1, dim)); // [N*G*G, C]
        // Gemm with transB keeps the bank in rows [M,C], so enrollment can append rows.
        String cos = g.op("Gemm", List.of(q, bank), i("transB", 1)); // [N*G*G, M]
        String best = g.op("ReduceMax", List.of(cos), ints("axes", 1), i("keepdims", 0));
        String dist = g.op("Sub", g.floatScalar(1f), best);
        return upsample(g.op("Reshape", dist, g.int64s(-1, 1, grid, grid)), sizes);
    }

    /** Drops the CLS token: [N,1+G*G,C] -> [N,G*G,C]. */
    private String patches(String tokens) {
        return patchesOf.computeIfAbsent(tokens,
                t -> g.op("Slice", t, g.int64s(1), g.int64s(Long.MAX_VALUE), g.int64s(1)));
    }

    private String normalise(String x, boolean clampLikeCosSim) {
        String norm = normOf.computeIfAbsent(x, v -> g.op("ReduceL2", List.of(v), ints("axes", -1), i("keepdims", 1)));
        if (clampLikeCosSim) {
            norm = g.op("Max", norm, g.floatScalar(COS_EPS));
        }
        return g.op("Div", x, norm);
    }

    /** 100 * tokens @ text: [N,G*G,2]. The reference scales the tokens before the product. */
    private String logits(String normalised) {
        return g.op("MatMul", g.op("Mul", normalised, g.floatScalar(LOGIT_SCALE)), text);
    }

    /** F.interpolate(mode='bilinear', align_corners=True) to S x S; {@code sizes} is [N,C,S,S]. */
    private String upsample(String x, String sizes) {
        return g.op("Resize", List.of(x, "", "", sizes), s("mode", "linear"),
                s("coordinate_transformation_mode", "align_corners"));
    }

    private void publishMap(String value, String name) {
        g.rename(value, name);
        g.output(name, DataType.FLOAT, MvfaGraphNames.BATCH, size, size);
    }

    private void publishScore(String value, String name) {
        g.rename(value, name);
        g.output(name, DataType.FLOAT, MvfaGraphNames.BATCH);
    }
}
