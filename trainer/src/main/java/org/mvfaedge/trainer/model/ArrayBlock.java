package org.mvfaedge.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A CLIP block of one array in and one array out whose parameters come from a PyTorch state dict. The model
 * calls {@link #apply} directly (no NDList per call); DJL's own entry point, {@code forward}, is wrapped here
 * once rather than in every block. The output has the input's shape unless a block says otherwise.
 */
abstract class ArrayBlock extends AbstractBlock implements StateDictLoadable {
    /** The block's forward pass on {@code x}. */
    public abstract NDArray apply(ParameterStore ps, NDArray x, boolean training);

    @Override
    protected final NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(apply(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
