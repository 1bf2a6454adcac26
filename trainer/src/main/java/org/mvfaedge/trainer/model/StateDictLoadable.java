package org.mvfaedge.trainer.model;

import org.mvfaedge.trainer.weights.StateDict;

/**
 * A block whose parameters can be bound to tensors of a PyTorch state dict with the reference's
 * names. Binding only sets initializers; values are materialised by {@code Block.initialize}.
 */
public interface StateDictLoadable {
    /**
     * Binds every parameter of this block (and its children) to {@code sd[prefix + name]}.
     *
     * @throws org.mvfaedge.trainer.weights.CheckpointException naming the file and tensor when one
     *     is missing or has the wrong shape
     */
    void bind(StateDict sd, String prefix);
}
