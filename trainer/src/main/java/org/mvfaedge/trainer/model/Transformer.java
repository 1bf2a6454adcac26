package org.mvfaedge.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * A stack of {@link ResidualAttentionBlock}s ({@code resblocks.{i}} in the state dict). Layers can
 * be run in ranges, so that a caller can stop after a layer, act on the hidden state (MVFA's
 * adapters) and continue.
 */
public final class Transformer extends AbstractBlock implements StateDictLoadable {
    private final List<ResidualAttentionBlock> layers = new ArrayList<>();

    public Transformer(int width, int depth, int heads, boolean causal, Activation activation) {
        if (depth < 1) {
            throw new ModelConfigException("a transformer needs at least one layer, got " + depth);
        }
        for (int i = 0; i < depth; i++) {
            layers.add(addChildBlock("resblocks_" + i, new ResidualAttentionBlock(width, heads, causal, activation)));
        }
    }

    public int depth() {
        return layers.size();
    }

    /** Runs layers {@code from} (inclusive, 0-based) to {@code to} (exclusive) on {@code x [N, T, w]}. */
    public NDArray applyLayers(ParameterStore ps, NDArray x, int from, int to, boolean training) {
        if (from < 0 || to > layers.size() || from > to) {
            throw new IllegalArgumentException("layer range [" + from + ", " + to + ") is outside 0.."
                    + layers.size());
        }
        NDArray h = x;
        for (int i = from; i < to; i++) {
            h = layers.get(i).apply(ps, h, training);
        }
        return h;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(applyLayers(ps, inputs.singletonOrThrow(), 0, layers.size(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (ResidualAttentionBlock b : layers) {
            b.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    public void bind(StateDict sd, String prefix) {
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).bind(sd, prefix + "resblocks." + i + ".");
        }
    }
}
