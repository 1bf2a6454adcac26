package org.mvfaedge.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * CLIP's pre-norm transformer layer: {@code x + attn(ln_1(x))}, then {@code x + mlp(ln_2(x))} with
 * {@code mlp = c_fc -> activation -> c_proj} (hidden width 4w). Frozen. Input/output {@code [N, T, w]}.
 */
public final class ResidualAttentionBlock extends ArrayBlock {
    private final ClipLayerNorm ln1;
    private final MultiheadSelfAttention attn;
    private final ClipLayerNorm ln2;
    private final ClipLinear cFc;
    private final ClipLinear cProj;
    private final Activation activation;

    public ResidualAttentionBlock(int width, int heads, boolean causal, Activation activation) {
        this.activation = activation;
        ln1 = addChildBlock("ln_1", new ClipLayerNorm(width));
        attn = addChildBlock("attn", new MultiheadSelfAttention(width, heads, causal));
        ln2 = addChildBlock("ln_2", new ClipLayerNorm(width));
        cFc = addChildBlock("mlp_c_fc", new ClipLinear(width, 4 * width));
        cProj = addChildBlock("mlp_c_proj", new ClipLinear(4 * width, width));
    }

    /** Runs the layer on {@code x [N, T, w]}. */
    @Override
    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray h = x.add(attn.apply(ps, ln1.apply(ps, x, training), training));
        NDArray mlp = cProj.apply(ps, activation.apply(cFc.apply(ps, ln2.apply(ps, h, training), training)), training);
        return h.add(mlp);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        ln1.initialize(manager, dataType, inputShapes);
        attn.initialize(manager, dataType, inputShapes);
        ln2.initialize(manager, dataType, inputShapes);
        cFc.initialize(manager, dataType, inputShapes);
        cProj.initialize(manager, dataType, cFc.getOutputShapes(inputShapes));
    }

    @Override
    public void bind(StateDict sd, String prefix) {
        ln1.bind(sd, prefix + "ln_1.");
        attn.bind(sd, prefix + "attn.");
        ln2.bind(sd, prefix + "ln_2.");
        cFc.bind(sd, prefix + "mlp.c_fc.");
        cProj.bind(sd, prefix + "mlp.c_proj.");
    }
}
