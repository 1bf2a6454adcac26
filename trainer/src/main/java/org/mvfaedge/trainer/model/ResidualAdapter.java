package org.mvfaedge.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * MVFA's {@code ClipAdapter}, trainable: {@code fc1 = Linear(width -> bottleneck, no bias) +
 * LeakyReLU(0.01)}, {@code fc2 = Linear(bottleneck -> width, no bias) + LeakyReLU(0.01)}.
 * {@link #forward} maps {@code [N, T, width]} to {@code (mid [N, T, bottleneck], out [N, T, width])}:
 * {@code mid} is the level's tokens, {@code out} feeds the residual mix. State-dict names
 * {@code fc1.0.weight} {@code [bottleneck, width]}, {@code fc2.0.weight} {@code [width, bottleneck]}.
 * Unloaded, the weights start as PyTorch's {@code nn.Linear} default does: uniform in
 * {@code +-1/sqrt(fan_in)}.
 */
public final class ResidualAdapter extends AbstractBlock implements StateDictLoadable {
    static final float LEAKY_SLOPE = 0.01f;

    private final int width;
    private final int bottleneck;
    private final Parameter fc1;
    private final Parameter fc2;

    public ResidualAdapter(int width, int bottleneck) {
        if (width < 1 || bottleneck < 1) {
            throw new ModelConfigException("adapter needs positive width and bottleneck, got " + width + " and "
                    + bottleneck);
        }
        this.width = width;
        this.bottleneck = bottleneck;
        fc1 = addParameter(Params.trainable("fc1_weight", new UniformInitializer((float) (1 / Math.sqrt(width))),
                bottleneck, width));
        fc2 = addParameter(Params.trainable("fc2_weight",
                new UniformInitializer((float) (1 / Math.sqrt(bottleneck))), width, bottleneck));
    }

    public int bottleneck() {
        return bottleneck;
    }

    /** {@code fc1} weight parameter ({@code [bottleneck, width]}), e.g. for an optimizer. */
    public Parameter fc1() {
        return fc1;
    }

    /** {@code fc2} weight parameter ({@code [width, bottleneck]}). */
    public Parameter fc2() {
        return fc2;
    }

    /** Returns {@code (mid, out)} for {@code x [N, T, width]}. */
    public NDList apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray mid = ai.djl.nn.Activation.leakyRelu(
                Linear.linear(x, ps.getValue(fc1, x.getDevice(), training)).singletonOrThrow(), LEAKY_SLOPE);
        NDArray out = ai.djl.nn.Activation.leakyRelu(
                Linear.linear(mid, ps.getValue(fc2, x.getDevice(), training)).singletonOrThrow(), LEAKY_SLOPE);
        return new NDList(mid, out);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return apply(ps, inputs.singletonOrThrow(), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        Shape lead = s.slice(0, s.dimension() - 1);
        return new Shape[] {lead.add(bottleneck), lead.add(width)};
    }

    /** Binds {@code prefix + "fc1.0.weight"} and {@code prefix + "fc2.0.weight"}. */
    @Override
    public void bind(StateDict sd, String prefix) {
        Params.bind(fc1, sd, prefix + "fc1.0.weight");
        Params.bind(fc2, sd, prefix + "fc2.0.weight");
    }
}
