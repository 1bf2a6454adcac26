package org.mvfaedge.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.sdk.testing.Npy;
import org.mvfaedge.trainer.weights.AdapterCheckpoint;
import org.mvfaedge.trainer.weights.HostTensor;
import org.mvfaedge.trainer.weights.Safetensors;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * The golden fixture's model (tiny-a unless {@code -Dmvfa.fixture} names another), built as the reference
 * ran it: the img_size, features and activation of its fixture.json.
 */
final class TinyA {
    private TinyA() {
    }

    static FixtureConfig config() {
        return FixtureConfig.get();
    }

    static Path dir() {
        return config().dir();
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
        FixtureConfig c = config();
        return ClipLoader.mvfaVision(manager, clip(), resizedPositions(), c.imgSize(), c.features(),
                Activation.parse(c.activation()),
                AdapterCheckpoint.read(dir().resolve("adapters/initial.pth")));
    }

    /** {@code forward/img<i>/input.npy} as a batch of one, in {@code manager}. */
    static NDArray input(NDManager manager, int image) {
        Npy in = Fixtures.npy(dir().resolve("forward/img" + image + "/input.npy"));
        long[] s = in.shape;
        int size = config().imgSize();
        if (s.length != 3 || s[1] != size || s[2] != size) {
            throw new AssertionError("forward/img" + image + "/input.npy is " + java.util.Arrays.toString(s)
                    + " but fixture.json's img_size is " + size);
        }
        return manager.create(in.floats(), new Shape(1, s[0], s[1], s[2]));
    }

    static float[] expected(String relative) {
        return Fixtures.npy(dir().resolve(relative)).floats();
    }
}
