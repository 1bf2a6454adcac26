package org.mvfaedge.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * A frozen PyTorch {@code nn.Linear(in, out)} with bias: {@code y = x W^T + b}, weight
 * {@code [out, in]}. State-dict names: {@code weight}, {@code bias}.
 */
public final class ClipLinear extends ArrayBlock {
    private final int out;
    private final Parameter weight;
    private final Parameter bias;

    public ClipLinear(int in, int out) {
        this.out = out;
        weight = addParameter(Params.frozen("weight", Parameter.Type.WEIGHT, Params.RANDOM, out, in));
        bias = addParameter(Params.frozen("bias", Parameter.Type.BIAS, Params.RANDOM, out));
    }

    /** Applies the layer to {@code x [..., in]}. */
    @Override
    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        return Linear.linear(x, ps.getValue(weight, x.getDevice(), training),
                ps.getValue(bias, x.getDevice(), training)).singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {s.slice(0, s.dimension() - 1).add(out)};
    }

    @Override
    public void bind(StateDict sd, String prefix) {
        Params.bind(weight, sd, prefix + "weight");
        Params.bind(bias, sd, prefix + "bias");
    }
}
