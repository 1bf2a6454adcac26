package org.mvfaedge.trainer.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import org.mvfaedge.trainer.weights.StateDict;

/** Parameter factories and state-dict binding shared by the blocks of this package. */
final class Params {
    /** Random values for blocks built without weights (tests, shape checks); CLIP's own std. */
    static final Initializer RANDOM = new NormalInitializer(0.02f);

    private Params() {
    }

    /** A CLIP parameter: never trained, so it never requires a gradient. */
    static Parameter frozen(String name, Parameter.Type type, Initializer init, long... shape) {
        return Parameter.builder().setName(name).setType(type).optShape(new Shape(shape))
                .optInitializer(init).optRequiresGrad(false).build();
    }

    /** An adapter parameter: trained, so DJL attaches a gradient when it is initialised. */
    static Parameter trainable(String name, Initializer init, long... shape) {
        return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optShape(new Shape(shape))
                .optInitializer(init).optRequiresGrad(true).build();
    }

    /**
     * Makes the parameter take its value from {@code sd[key]} when the block is initialised; fails
     * now, naming the file and tensor, when the tensor is missing or has another shape.
     */
    static void bind(Parameter p, StateDict sd, String key) {
        p.setInitializer(new PretrainedValue(key, sd.require(key, p.getShape().getShape())));
    }
}
