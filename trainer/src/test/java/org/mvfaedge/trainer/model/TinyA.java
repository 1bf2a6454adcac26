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
        int size = config().imgSize();
        // Checked against fixture.json's img_size: the model is built at that size.
        return manager.create(config().input(image), new Shape(1, 3, size, size));
    }

    static float[] expected(String relative) {
        return Fixtures.npy(dir().resolve(relative)).floats();
    }
}
