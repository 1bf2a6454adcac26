package org.mvfaedge.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * PyTorch's {@code nn.LayerNorm(width)} over the last axis, eps 1e-5, frozen. State-dict names:
 * {@code weight}, {@code bias}. (OpenAI's fp16-safe subclass computes in float32, as this does.)
 */
public final class ClipLayerNorm extends ArrayBlock {
    static final float EPS = 1e-5f;

    private final int width;
    private final Parameter weight;
    private final Parameter bias;

    public ClipLayerNorm(int width) {
        this.width = width;
        weight = addParameter(Params.frozen("weight", Parameter.Type.GAMMA, Initializer.ONES, width));
        bias = addParameter(Params.frozen("bias", Parameter.Type.BETA, Initializer.ZEROS, width));
    }

    /** Normalises {@code x [..., width]}. */
    @Override
    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        return LayerNorm.layerNorm(x, new Shape(width), ps.getValue(weight, x.getDevice(), training),
                ps.getValue(bias, x.getDevice(), training), EPS).singletonOrThrow();
    }

    @Override
    public void bind(StateDict sd, String prefix) {
        Params.bind(weight, sd, prefix + "weight");
        Params.bind(bias, sd, prefix + "bias");
    }
}
