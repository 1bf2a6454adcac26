package org.mvfaedge.sdk.detect;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.mvfaedge.sdk.image.PreprocessingSpec;
import org.mvfaedge.sdk.image.Preprocessor;

/**
 * The reusable per-call state of a detector: a preprocessor (resize tables and scratch), the
 * direct input buffer of a batch, one image's tensor and the region finder's images. Not
 * thread-safe; a detector lends one to each call from a {@link WorkspacePool}.
 */
public final class Workspace {
    private final Preprocessor preprocessor;
    private final float[] image;
    private final RegionFinder regions = new RegionFinder();
    private FloatBuffer batch;

    public Workspace(PreprocessingSpec spec) {
        this.preprocessor = spec.preprocessor();
        this.image = new float[preprocessor.imageLength()];
    }

    public Preprocessor preprocessor() {
        return preprocessor;
    }

    /** Scratch for one image's CHW tensor. */
    public float[] image() {
        return image;
    }

    public RegionFinder regions() {
        return regions;
    }

    /**
     * A direct, native-order buffer of at least {@code images} input tensors, grown (never shrunk) as
     * needed, so that steady-state calls allocate nothing for the input.
     */
    public FloatBuffer batch(int images) {
        int needed = images * image.length;
        if (batch == null || batch.capacity() < needed) {
            batch = ByteBuffer.allocateDirect(needed * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        }
        return batch;
    }

    /** Preprocesses into the scratch tensor and copies it into slot {@code slot} of the batch. */
    public void put(FloatBuffer batch, int slot) {
        batch.put(slot * image.length, image);
    }
}
