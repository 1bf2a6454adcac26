package org.mvfaedge.trainer.export;

import static org.mvfaedge.sdk.onnx.OnnxAttributes.f;
import static org.mvfaedge.sdk.onnx.OnnxAttributes.i;
import static org.mvfaedge.sdk.onnx.OnnxAttributes.ints;

import java.util.Arrays;
import java.util.List;
import org.mvfaedge.sdk.onnx.OnnxGraph;
import org.mvfaedge.trainer.model.Activation;
import org.mvfaedge.trainer.weights.AdapterWeights;
import org.mvfaedge.trainer.weights.CheckpointException;
import org.mvfaedge.trainer.weights.HostTensor;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * Emits CLIP's vision transformer with MVFA's residual adapters (the reference's
 * {@code CLIP_Inplanted.forward}) into an {@link OnnxGraph}. Activations stay batch-first
 * [N, tokens, width]; linear weights are stored transposed ([in, out]) so each linear layer is one
 * MatMul plus an Add. Blocks after the last adapter layer are not emitted: nothing the graph outputs
 * depends on them (the reference computes them only for the pooled embedding, which MVFA's heads do
 * not use).
 */
final class VisionTowerGraph {
    /** Seg and det tokens (fc1 + LeakyReLU, [N,1+G*G,C]) of one adapter level. */
    record LevelTokens(String seg, String det) {
    }

    private static final float LN_EPS = 1e-5f;
    /** {@code nn.LeakyReLU()}'s default negative slope. */
    private static final float LEAKY_SLOPE = 0.01f;
    /** MVFA's residual mix after an adapter level (x = 0.8 x + 0.1 seg_out + 0.1 det_out), the DJL model's. */
    private static final float KEEP = org.mvfaedge.trainer.pipeline.PaperDefaults.RESIDUAL_MIX;
    private static final float ADAPTER_SHARE = org.mvfaedge.trainer.pipeline.PaperDefaults.ADAPTER_MIX;

    private final OnnxGraph g;
    private final StateDict clip;
    private final AdapterWeights adapters;
    private final VisionGeometry geo;
    private final Activation activation;

    VisionTowerGraph(OnnxGraph g, StateDict clip, AdapterWeights adapters, VisionGeometry geo, Activation activation) {
        this.g = g;
        this.clip = clip;
        this.adapters = adapters;
        this.geo = geo;
        this.activation = activation;
    }

    /**
     * Emits the tower on {@code image} [N,3,S,S] and returns the tokens of each adapter level, in
     * level order ({@code features[level]} is the 1-based layer it follows).
     */
    List<LevelTokens> emit(String image, String batch, int[] features) {
        int w = geo.width();
        int last = Arrays.stream(features).max().orElseThrow();
        String x = embed(image, batch);
        LevelTokens[] levels = new LevelTokens[features.length];
        int done = 0;
        for (int layer = 1; layer <= last; layer++) {
            x = block(x, layer - 1);
            int level = indexOf(features, layer);
            if (level < 0) {
                continue;
            }
            String p = "adapter" + level;
            String seg = leaky(g.op("MatMul", x, weightT(p + "_seg_fc1_t", adapters.fc1(AdapterWeights.SEG, level))));
            String det = leaky(g.op("MatMul", x, weightT(p + "_det_fc1_t", adapters.fc1(AdapterWeights.DET, level))));
            levels[level] = new LevelTokens(seg, det);
            done++;
            if (layer == last) {
                break; // the last level's fc2 output feeds only blocks that are not emitted
            }
            String segOut = leaky(g.op("MatMul", seg, weightT(p + "_seg_fc2_t", adapters.fc2(AdapterWeights.SEG, level))));
            String detOut = leaky(g.op("MatMul", det, weightT(p + "_det_fc2_t", adapters.fc2(AdapterWeights.DET, level))));
            // Same evaluation order as the reference: (0.8 x + 0.1 seg) + 0.1 det.
            x = g.op("Add", g.op("Add", g.op("Mul", x, g.floatScalar(KEEP)), g.op("Mul", segOut, g.floatScalar(ADAPTER_SHARE))),
                    g.op("Mul", detOut, g.floatScalar(ADAPTER_SHARE)));
        }
        if (done != features.length) {
            throw new IllegalStateException("emitted " + done + " of " + features.length + " adapter levels");
        }
        return List.of(levels);
    }

    /** conv1 patches, class token, position table, ln_pre: [N, 1+G*G, w]. */
    private String embed(String image, String batch) {
        int w = geo.width();
        int p = geo.patch();
        HostTensor conv = clip.require("visual.conv1.weight", w, 3, p, p);
        String patches = g.op("Conv", List.of(image, g.initializer("visual_conv1_weight", conv.shape(), conv.floats())),
                ints("kernel_shape", p, p), ints("strides", p, p));
        // [N,w,G,G] -> [N,w,G*G] -> [N,G*G,w]
        String tokens = g.op("Transpose", List.of(g.op("Reshape", patches, g.int64s(0, 0, -1))), ints("perm", 0, 2, 1));
        HostTensor cls = clip.require("visual.class_embedding", w);
        String clsRow = g.initializer("visual_class_embedding", new long[] {1, 1, w}, cls.floats());
        String clsTokens = g.op("Expand", clsRow, g.op("Concat", List.of(batch, g.int64s(1, w)), i("axis", 0)));
        String x = g.op("Concat", List.of(clsTokens, tokens), i("axis", 1));
        HostTensor pos = clip.require("visual.positional_embedding");
        if (pos.rank() != 2 || pos.dim(0) != geo.tokens() || pos.dim(1) != w) {
            throw new CheckpointException(clip.source(), "visual.positional_embedding is " + pos + " but the grid "
                    + geo.grid() + "x" + geo.grid() + " needs [" + geo.tokens() + "," + w + "]: resize the table to "
                    + "the run's grid (CLS row kept) before exporting");
        }
        x = g.op("Add", x, g.initializer("visual_positional_embedding", pos.shape(), pos.floats()));
        return layerNorm(x, "visual.ln_pre", "visual_ln_pre");
    }

    /** One residual attention block: x + attn(ln_1 x), then x + mlp(ln_2 x). */
    private String block(String x, int i) {
        int w = geo.width();
        int heads = geo.heads();
        int hw = VisionGeometry.HEAD_WIDTH;
        String src = "visual.transformer.resblocks." + i + ".";
        String dst = "block" + i + "_";
        String h = layerNorm(x, src + "ln_1", dst + "ln_1");
        float[] inW = clip.require(src + "attn.in_proj_weight", 3L * w, w).floats();
        float[] inB = clip.require(src + "attn.in_proj_bias", 3L * w).floats();
        String[] qkv = new String[3];
        String[] part = {"q", "k", "v"};
        for (int j = 0; j < 3; j++) {
            float[] wj = Arrays.copyOfRange(inW, j * w * w, (j + 1) * w * w);
            float[] bj = Arrays.copyOfRange(inB, j * w, (j + 1) * w);
            String lin = linear(h, wj, bj, w, w, dst + part[j]);
            qkv[j] = g.op("Reshape", lin, g.int64s(0, 0, heads, hw)); // [N,L,H,64]
        }
        String q = g.op("Transpose", List.of(qkv[0]), ints("perm", 0, 2, 1, 3)); // [N,H,L,64]
        // PyTorch's multi_head_attention_forward divides q by sqrt(head_dim) before q @ k^T.
        q = g.op("Div", q, g.floatScalar((float) Math.sqrt(hw)));
        String kT = g.op("Transpose", List.of(qkv[1]), ints("perm", 0, 2, 3, 1)); // [N,H,64,L]
        String v = g.op("Transpose", List.of(qkv[2]), ints("perm", 0, 2, 1, 3));
        String attn = g.op("Softmax", List.of(g.op("MatMul", q, kT)), i("axis", -1)); // over keys
        String ctx = g.op("Transpose", List.of(g.op("MatMul", attn, v)), ints("perm", 0, 2, 1, 3));
        ctx = g.op("Reshape", ctx, g.int64s(0, 0, w));
        String out = linear(ctx, clip.require(src + "attn.out_proj.weight", w, w).floats(),
                clip.require(src + "attn.out_proj.bias", w).floats(), w, w, dst + "out_proj");
        x = g.op("Add", x, out);
        h = layerNorm(x, src + "ln_2", dst + "ln_2");
        HostTensor fcW = clip.require(src + "mlp.c_fc.weight");
        int hidden = (int) fcW.dim(0);
        clip.require(src + "mlp.c_fc.weight", hidden, w);
        h = linear(h, fcW.floats(), clip.require(src + "mlp.c_fc.bias", hidden).floats(), hidden, w, dst + "c_fc");
        h = activate(h);
        h = linear(h, clip.require(src + "mlp.c_proj.weight", w, hidden).floats(),
                clip.require(src + "mlp.c_proj.bias", w).floats(), w, hidden, dst + "c_proj");
        return g.op("Add", x, h);
    }

    private String activate(String h) {
        return switch (activation) {
            // PyTorch's CPU kernel: x * 0.5 * (1 + erf(x * M_SQRT1_2)).
            case GELU -> g.op("Mul", g.op("Mul", h, g.floatScalar(0.5f)),
                    g.op("Add", g.floatScalar(1f), g.op("Erf", g.op("Mul", h, g.floatScalar((float) (1 / Math.sqrt(2)))))));
            case QUICK_GELU -> g.op("Mul", h, g.op("Sigmoid", g.op("Mul", h, g.floatScalar(1.702f))));
        };
    }

    /** PyTorch's Linear (weight [out,in]) as MatMul with the transposed weight, plus the bias. */
    private String linear(String x, float[] weight, float[] bias, int out, int in, String name) {
        String wt = g.initializer(name + "_weight_t", new long[] {in, out}, transpose(weight, out, in));
        String b = g.initializer(name + "_bias", new long[] {out}, bias);
        return g.op("Add", g.op("MatMul", x, wt), b);
    }

    private String layerNorm(String x, String src, String dst) {
        int w = geo.width();
        String scale = g.initializer(dst + "_weight", new long[] {w}, clip.require(src + ".weight", w).floats());
        String bias = g.initializer(dst + "_bias", new long[] {w}, clip.require(src + ".bias", w).floats());
        return g.op("LayerNormalization", List.of(x, scale, bias), i("axis", -1), f("epsilon", LN_EPS));
    }

    private String leaky(String x) {
        return g.op("LeakyRelu", List.of(x), f("alpha", LEAKY_SLOPE));
    }

    /** An adapter weight [out,in] as a transposed initializer [in,out]. */
    private String weightT(String name, HostTensor weight) {
        int out = (int) weight.dim(0);
        int in = (int) weight.dim(1);
        return g.initializer(name, new long[] {in, out}, transpose(weight.floats(), out, in));
    }

    static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = m[r * cols + c];
            }
        }
        return t;
    }

    private static int indexOf(int[] features, int layer) {
        for (int k = 0; k < features.length; k++) {
            if (features[k] == layer) {
                return k;
            }
        }
        return -1;
    }
}
