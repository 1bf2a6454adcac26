package org.mvfaedge.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import java.util.Arrays;
import org.mvfaedge.trainer.weights.HostTensor;

/**
 * An {@link Initializer} that fills a parameter with a tensor read from a checkpoint. It lets the
 * blocks be initialised the DJL way ({@code block.initialize(...)}) while taking their values from
 * a state dict. One-shot: it drops its reference to the host copy once used, so a large CLIP is not
 * kept twice on the Java heap.
 */
final class PretrainedValue implements Initializer {
    private final String name;
    private HostTensor tensor;

    PretrainedValue(String name, HostTensor tensor) {
        this.name = name;
        this.tensor = tensor;
    }

    @Override
    public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
        if (tensor == null) {
            throw new IllegalStateException("tensor '" + name + "' was already loaded into a parameter;"
                    + " load the weights again to initialise another model");
        }
        if (!Arrays.equals(shape.getShape(), tensor.shape())) {
            throw new ModelConfigException("tensor '" + name + "' has shape " + Arrays.toString(tensor.shape())
                    + " but the block expects " + shape);
        }
        if (dataType != DataType.FLOAT32) {
            throw new ModelConfigException("the CLIP blocks compute in float32, asked for " + dataType);
        }
        NDArray array = manager.create(tensor.floats(), shape);
        tensor = null;
        return array;
    }
}
