package org.mvfaedge.trainer.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.sdk.testing.Npy;

/** Reads the golden fixture's token and bank files into NDArrays for the head tests. */
final class HeadFixture {
    private HeadFixture() {
    }

    static FixtureConfig config() {
        return FixtureConfig.get();
    }

    static Path dir() {
        return config().dir();
    }

    /** Forward images in the fixture: the batch the head tests run. */
    static int images() {
        return config().images();
    }

    /** Side S of the reference maps: the fixture's img_size. */
    static int imageSize() {
        return config().imgSize();
    }

    static int levels() {
        return config().levels();
    }

    static NDArray array(NDManager m, Path p) {
        Npy npy = Fixtures.npy(p);
        return m.create(npy.floats(), new Shape(npy.shape));
    }

    /** {@code [images, tokens, C]} of every forward image at one level of a branch ("seg" or "det"). */
    static NDArray batchTokens(NDManager m, String branch, int level) {
        List<NDArray> images = new ArrayList<>();
        for (int i = 0; i < images(); i++) {
            images.add(array(m, dir().resolve("forward/img" + i + "/" + branch + "_tokens_level" + level + ".npy")));
        }
        return NDArrays.stack(new NDList(images));
    }

    static List<NDArray> batchLevels(NDManager m, String branch) {
        List<NDArray> out = new ArrayList<>();
        for (int k = 0; k < levels(); k++) {
            out.add(batchTokens(m, branch, k));
        }
        return out;
    }

    /** Concatenation of every forward image's expected arrays from {@code forward/img<i>/<file>}. */
    static float[] expected(String file) {
        List<float[]> parts = new ArrayList<>();
        int n = 0;
        for (int i = 0; i < images(); i++) {
            // Maps are checked against fixture.json's img_size, the side the heads upsample to.
            float[] f = file.endsWith("_map.npy") ? config().map("forward/img" + i + "/" + file)
                    : Fixtures.npy(dir().resolve("forward/img" + i + "/" + file)).floats();
            parts.add(f);
            n += f.length;
        }
        float[] out = new float[n];
        int at = 0;
        for (float[] f : parts) {
            System.arraycopy(f, 0, out, at, f.length);
            at += f.length;
        }
        return out;
    }
}
