package org.mvfaedge.trainer.text;

import java.util.Arrays;

/**
 * An object's text features, {@code [embedDim, 2]} row-major: column 0 the normal prompt
 * ensemble's unit vector, column 1 the abnormal one, as MVFA's
 * {@code encode_text_with_prompt_ensemble} stacks them. Patch tokens are multiplied by this matrix
 * to get (normal, abnormal) logits.
 */
public record TextFeatures(int embedDim, float[] data) {
    public TextFeatures {
        if (embedDim <= 0) {
            throw new IllegalArgumentException("embedDim must be positive, got " + embedDim);
        }
        if (data == null || data.length != 2 * embedDim) {
            throw new IllegalArgumentException("text features must hold embedDim x 2 = " + 2 * embedDim
                    + " values, got " + (data == null ? "none" : data.length));
        }
    }

    /** Builds the matrix from its two columns. */
    public static TextFeatures ofColumns(float[] normal, float[] abnormal) {
        if (normal.length != abnormal.length) {
            throw new IllegalArgumentException("normal and abnormal features differ in length: "
                    + normal.length + " vs " + abnormal.length);
        }
        float[] data = new float[2 * normal.length];
        for (int i = 0; i < normal.length; i++) {
            data[2 * i] = normal[i];
            data[2 * i + 1] = abnormal[i];
        }
        return new TextFeatures(normal.length, data);
    }

    /** Column 0: the normal ensemble's unit vector. */
    public float[] normal() {
        return column(0);
    }

    /** Column 1: the abnormal ensemble's unit vector. */
    public float[] abnormal() {
        return column(1);
    }

    private float[] column(int c) {
        float[] out = new float[embedDim];
        for (int i = 0; i < embedDim; i++) {
            out[i] = data[2 * i + c];
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TextFeatures t && t.embedDim == embedDim && Arrays.equals(t.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * embedDim + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "TextFeatures[embedDim=" + embedDim + "]";
    }
}
