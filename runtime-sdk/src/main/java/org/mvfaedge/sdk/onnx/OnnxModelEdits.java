package org.mvfaedge.sdk.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;

/**
 * Changes to a finished model, such as enrollment's replacement of a memory bank by a larger one.
 * The graph's operators do not depend on the bank's row count, so only the initializer changes.
 */
public final class OnnxModelEdits {
    private OnnxModelEdits() {
    }

    /**
     * The model with the initializer of the same name replaced. The new tensor must have the old
     * one's data type and rank (dimensions may differ: a bank may grow).
     */
    public static ModelProto replaceInitializer(ModelProto model, TensorProto replacement) {
        GraphProto.Builder graph = model.getGraph().toBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            TensorProto old = graph.getInitializer(i);
            if (!old.getName().equals(replacement.getName())) {
                continue;
            }
            if (old.getDataType() != replacement.getDataType() || old.getDimsCount() != replacement.getDimsCount()) {
                throw new OnnxFormatException("initializer '" + old.getName() + "' is of type " + old.getDataType()
                        + " with dims " + old.getDimsList() + "; the replacement (type " + replacement.getDataType()
                        + ", dims " + replacement.getDimsList() + ") must keep its type and rank");
            }
            graph.setInitializer(i, replacement);
            return model.toBuilder().setGraph(graph).build();
        }
        throw new OnnxFormatException("the model has no initializer '" + replacement.getName()
                + "' to replace (is it a few-shot package?)");
    }

    /** The initializer of that name (inline data expected: read models with {@link OnnxModelFiles#read}). */
    public static TensorProto initializer(ModelProto model, String name) {
        return model.getGraph().getInitializerList().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElseThrow(() -> new OnnxFormatException("the model has no initializer '" + name + "'"));
    }
}
