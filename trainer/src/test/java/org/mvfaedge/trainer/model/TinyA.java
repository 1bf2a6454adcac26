package org.mvfaedge.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.sdk.testing.Npy;
import org.mvfaedge.trainer.weights.AdapterCheckpoint;
import org.mvfaedge.trainer.weights.HostTensor;
import org.mvfaedge.trainer.weights.Safetensors;
import org.mvfaedge.trainer.weights.StateDict;

/** The tiny-a fixture's model, built as the reference ran it (img 72, features [1, 2, 3, 4], GELU). */
final class TinyA {
    static final int IMG_SIZE = 72;
    static final int[] FEATURES = {1, 2, 3, 4};

    private TinyA() {
    }

    static Path dir() {
        return Fixtures.tinyA();
    }

    static StateDict clip() {
        return Safetensors.read(dir().resolve("clip/clip.safetensors"));
    }

    static HostTensor hostTensor(Npy npy) {
        return HostTensor.ofFloats(npy.shape, npy.floats());
    }

    static HostTensor resizedPositions() {
        return hostTensor(Fixtures.npy(dir().resolve("clip/positional_embedding_resized.npy")));
    }

    /** The model of the forward fixtures: adapters {@code initial.pth}. */
    static MvfaVisionModel model(NDManager manager) {
        return ClipLoader.mvfaVision(manager, clip(), resizedPositions(), IMG_SIZE, FEATURES, Activation.GELU,
                AdapterCheckpoint.read(dir().resolve("adapters/initial.pth")));
    }

    /** {@code forward/img<i>/input.npy} as a batch of one, in {@code manager}. */
    static NDArray input(NDManager manager, int image) {
        Npy in = Fixtures.npy(dir().resolve("forward/img" + image + "/input.npy"));
        long[] s = in.shape;
        return manager.create(in.floats(), new Shape(1, s[0], s[1], s[2]));
    }

    static float[] expected(String relative) {
        return Fixtures.npy(dir().resolve(relative)).floats();
    }
}
