package org.mvfaedge.trainer.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.mvfaedge.sdk.testing.FixtureConfig;
import org.mvfaedge.sdk.testing.Fixtures;
import org.mvfaedge.sdk.testing.Npy;

/** resize_pos_embed: the reference's table when shrinking, hand-computed values when growing. */
class PositionEmbeddingTest {
    @Test
    void resizingTheNativeGridToTheRunsGridMatchesTheReference() {
        // The fixture's native grid (vision.image_size // patch) to the grid it ran at (img_size // patch).
        FixtureConfig cfg = FixtureConfig.get();
        StateDict clip = Safetensors.read(cfg.file("clip/clip.safetensors"));
        HostTensor pos = clip.require("visual.positional_embedding");
        int width = cfg.visionWidth();
        int oldGrid = cfg.nativeGrid();
        int newGrid = cfg.grid();
        assertArrayEquals(new long[] {oldGrid * oldGrid + 1, width}, pos.shape(), "native position table");
        Npy expected = Fixtures.npy(cfg.file("clip/positional_embedding_resized.npy"));
        assertArrayEquals(new long[] {cfg.tokens(), width}, expected.shape, "resized table: grid " + newGrid
                + " at img_size " + cfg.imgSize());

        float[] resized = PositionEmbedding.resize(pos.floats(), width, oldGrid, newGrid);
        Fixtures.assertClose("positional_embedding resized " + oldGrid + "->" + newGrid, resized, expected.floats(), 1e-5);
        assertArrayEquals(Arrays.copyOf(pos.floats(), width), Arrays.copyOf(resized, width), "CLS row kept");
    }

    @Test
    void growingTwoToFourMatchesHandComputedKeysWeights() {
        // One channel, grid value = x: the vertical pass sees constant columns and leaves them.
        // Horizontal weights (scale 1/2, support 2, a = -0.5), normalised over the taps inside the image:
        // out0 = -f(1.25) / (f(.25) + f(1.25)) = -3/34; out1 = f(.75) / (f(.25) + f(.75)) = 29/140.
        float[] table = {42f, 0f, 1f, 0f, 1f};
        float[] out = PositionEmbedding.resize(table, 1, 2, 4);
        assertEquals(17, out.length);
        assertEquals(42f, out[0], "CLS row kept");
        float[] row = {-3f / 34f, 29f / 140f, 1f - 29f / 140f, 1f + 3f / 34f};
        for (int y = 0; y < 4; y++) {
            Fixtures.assertClose("upscaled row " + y, Arrays.copyOfRange(out, 1 + 4 * y, 5 + 4 * y), row, 1e-6);
        }
    }

    @Test
    void aConstantTableStaysConstantWhenShrinkingOrGrowing() {
        // The weights of every output are normalised to sum 1.
        for (int[] grids : new int[][] {{7, 3}, {3, 7}, {24, 17}}) {
            int width = 3;
            float[] table = new float[(grids[0] * grids[0] + 1) * width];
            for (int i = 0; i < table.length; i++) {
                table[i] = 0.25f * (i % width) - 1f;
            }
            float[] out = PositionEmbedding.resize(table, width, grids[0], grids[1]);
            float[] expected = new float[(grids[1] * grids[1] + 1) * width];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = 0.25f * (i % width) - 1f;
            }
            Fixtures.assertClose("constant table " + grids[0] + "->" + grids[1], out, expected, 1e-6);
        }
    }

    @Test
    void theSameGridReturnsTheInput() {
        float[] table = new float[(5 * 5 + 1) * 4];
        for (int i = 0; i < table.length; i++) {
            table[i] = (float) Math.sin(i);
        }
        float[] out = PositionEmbedding.resize(table, 4, 5, 5);
        assertArrayEquals(table, out);
        assertNotSame(table, out);
    }

    @Test
    void aTableOfTheWrongSizeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PositionEmbedding.resize(new float[10], 4, 2, 3));
    }
}
