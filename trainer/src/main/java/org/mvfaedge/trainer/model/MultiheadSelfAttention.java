package org.mvfaedge.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * Self-attention with PyTorch {@code nn.MultiheadAttention} semantics, frozen: one packed input
 * projection {@code in_proj_weight [3w, w]} / {@code in_proj_bias [3w]} split into q, k, v; q scaled
 * by {@code head_dim^-0.5} before the dot product; optional additive causal mask (-inf above the
 * diagonal, as CLIP's text tower builds it); softmax; {@code out_proj}. Batch-first: input and output
 * are {@code [N, T, w]} (the reference runs sequence-first; the arithmetic is the same).
 */
public final class MultiheadSelfAttention extends ArrayBlock {
    private final int width;
    private final int heads;
    private final boolean causal;
    private final Parameter inProjWeight;
    private final Parameter inProjBias;
    private final Parameter outProjWeight;
    private final Parameter outProjBias;

    /**
     * @param width model width {@code w}
     * @param heads number of heads; must divide {@code w}
     * @param causal whether each position attends only to itself and earlier ones (text tower)
     */
    public MultiheadSelfAttention(int width, int heads, boolean causal) {
        if (heads < 1 || width % heads != 0) {
            throw new ModelConfigException("attention width " + width + " is not divisible into " + heads
                    + " heads (CLIP uses width/64 heads; widths must be multiples of the head count)");
        }
        this.width = width;
        this.heads = heads;
        this.causal = causal;
        inProjWeight = addParameter(Params.frozen("in_proj_weight", Parameter.Type.WEIGHT, Params.RANDOM,
                3L * width, width));
        inProjBias = addParameter(Params.frozen("in_proj_bias", Parameter.Type.BIAS, Params.RANDOM, 3L * width));
        outProjWeight = addParameter(Params.frozen("out_proj_weight", Parameter.Type.WEIGHT, Params.RANDOM,
                width, width));
        outProjBias = addParameter(Params.frozen("out_proj_bias", Parameter.Type.BIAS, Params.RANDOM, width));
    }

    public int heads() {
        return heads;
    }

    /** Attends over {@code x [N, T, w]}. */
    @Override
    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        long n = x.getShape().get(0);
        long t = x.getShape().get(1);
        int headDim = width / heads;
        NDArray qkv = Linear.linear(x, ps.getValue(inProjWeight, x.getDevice(), training),
                ps.getValue(inProjBias, x.getDevice(), training)).singletonOrThrow();
        // [N, T, 3w] -> [3, N, heads, T, head_dim]
        NDArray split = qkv.reshape(n, t, 3, heads, headDim).transpose(2, 0, 3, 1, 4);
        NDArray q = Scalars.mul(split.get(0), (float) Math.pow(headDim, -0.5));
        NDArray k = split.get(1);
        NDArray v = split.get(2);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2));
        if (causal) {
            scores = scores.add(causalMask(x, (int) t));
        }
        NDArray context = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(n, t, width);
        return Linear.linear(context, ps.getValue(outProjWeight, x.getDevice(), training),
                ps.getValue(outProjBias, x.getDevice(), training)).singletonOrThrow();
    }

    /** {@code [T, T]}: 0 on and below the diagonal, -inf above (CLIP's {@code build_attention_mask}). */
    private static NDArray causalMask(NDArray like, int t) {
        float[] m = new float[t * t];
        for (int i = 0; i < t; i++) {
            Arrays.fill(m, i * t + i + 1, (i + 1) * t, Float.NEGATIVE_INFINITY);
        }
        return like.getManager().create(m, new Shape(t, t)).toDevice(like.getDevice(), false);
    }

    @Override
    public void bind(StateDict sd, String prefix) {
        Params.bind(inProjWeight, sd, prefix + "in_proj_weight");
        Params.bind(inProjBias, sd, prefix + "in_proj_bias");
        Params.bind(outProjWeight, sd, prefix + "out_proj.weight");
        Params.bind(outProjBias, sd, prefix + "out_proj.bias");
    }
}
