package org.mvfaedge.trainer.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The few-shot memory bank: per adapter level and branch, the stacked tokens {@code [M, C]} of the
 * (augmented) normal support images, in the order they were added.
 *
 * <p>Reference quirk: MVFA's memory bank keeps ALL tokens of each support image, the CLS token
 * included ({@code p[0]} rather than {@code p[0, 1:]}), so every image contributes 1 + G*G rows with
 * its CLS row first. The query side drops CLS; the bank does not.
 *
 * <p>The fixture's bank is ordered shot-major: support shot 0's 11 augmentations (original,
 * 4 rotations, 4 translations, horizontal flip, vertical flip), then shot 1's; build it by adding the
 * augmented images in that order. (Checked by recomputing the tokens of each support image, its
 * horizontal and its vertical flip: they are the bank's images 0, 9, 10 and 11, 20, 21.) The
 * few-shot maps do not depend on the order (a max over rows); the exported bank's bytes do.
 *
 * <p>Float32 throughout (the bank is written into the ONNX model). The bank owns its native memory:
 * close it when done.
 */
public final class MemoryBank implements AutoCloseable {
    /** Epsilon of the reference's {@code cos_sim}: rows are divided by {@code max(norm, eps)}. */
    public static final float COS_EPS = 1e-8f;

    private final NDManager manager;
    private final Map<TokenBranch, List<NDArray>> rows = new EnumMap<>(TokenBranch.class);
    private final Map<TokenBranch, List<NDArray>> unitRows = new EnumMap<>(TokenBranch.class);

    private MemoryBank(NDManager parent, Map<TokenBranch, List<float[]>> data, Map<TokenBranch, List<Long>> widths) {
        this.manager = parent.newSubManager();
        try {
            fill(data, widths);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private void fill(Map<TokenBranch, List<float[]>> data, Map<TokenBranch, List<Long>> widths) {
        for (TokenBranch b : TokenBranch.values()) {
            List<NDArray> levels = new ArrayList<>();
            List<NDArray> units = new ArrayList<>();
            for (int k = 0; k < data.get(b).size(); k++) {
                float[] values = data.get(b).get(k);
                long c = widths.get(b).get(k);
                NDArray r = manager.create(values, new Shape(values.length / c, c));
                levels.add(r);
                units.add(unit(r));
            }
            rows.put(b, levels);
            unitRows.put(b, units);
        }
    }

    /** Rows divided by {@code max(||row||, eps)}, as the reference's cos_sim normalises. */
    static NDArray unit(NDArray r) {
        try (NDArray norm = r.norm(new int[] {-1}, true); NDArray clamped = norm.maximum(COS_EPS)) {
            return r.div(clamped);
        }
    }

    /** A builder that collects support images' tokens in order. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A bank from ready-made rows per level (e.g. read back from an exported model), copied into
     * memory owned by the bank.
     *
     * @param segLevels seg rows per level, each {@code [M, C]}
     * @param detLevels det rows per level, each {@code [M, C]}
     */
    public static MemoryBank fromRows(NDManager parent, List<NDArray> segLevels, List<NDArray> detLevels) {
        Builder b = new Builder();
        b.add(segLevels, detLevels);
        return b.build(parent);
    }

    public int levels() {
        return rows.get(TokenBranch.SEG).size();
    }

    /** Number of rows of the branch's bank at {@code level}. */
    public long size(TokenBranch branch, int level) {
        return rows(branch, level).getShape().get(0);
    }

    /** The bank {@code [M, C]} of a branch at a level, owned by this bank (do not close it). */
    public NDArray rows(TokenBranch branch, int level) {
        return level(rows, branch, level);
    }

    /** The bank's rows divided by their norms (cached), owned by this bank (do not close it). */
    public NDArray unitRows(TokenBranch branch, int level) {
        return level(unitRows, branch, level);
    }

    /** The bank of a branch at a level as a plain row-major float array {@code [M * C]}. */
    public float[] toFloatArray(TokenBranch branch, int level) {
        return rows(branch, level).toFloatArray();
    }

    /** The bank of a branch as plain row-major float arrays, one {@code [M * C]} per level. */
    public float[][] toFloatArrays(TokenBranch branch) {
        float[][] out = new float[levels()][];
        for (int k = 0; k < out.length; k++) {
            out[k] = toFloatArray(branch, k);
        }
        return out;
    }

    private NDArray level(Map<TokenBranch, List<NDArray>> m, TokenBranch branch, int level) {
        List<NDArray> l = m.get(branch);
        if (level < 0 || level >= l.size()) {
            throw new HeadInputException("memory bank has " + l.size() + " levels, asked for level " + level);
        }
        return l.get(level);
    }

    @Override
    public void close() {
        manager.close();
    }

    /**
     * Collects the tokens of support images, one {@link #add} per image (or batch of images), in
     * the order they should appear in the bank. Holds copies on the Java heap, so the caller may
     * close its arrays after each add.
     */
    public static final class Builder {
        private final Map<TokenBranch, List<List<float[]>>> parts = new EnumMap<>(TokenBranch.class);
        private final Map<TokenBranch, List<Long>> widths = new EnumMap<>(TokenBranch.class);
        private int added;

        private Builder() {
            for (TokenBranch b : TokenBranch.values()) {
                parts.put(b, new ArrayList<>());
                widths.put(b, new ArrayList<>());
            }
        }

        /**
         * Appends one support image's tokens (each level {@code [1+G*G, C]}), or a batch of them
         * ({@code [N, 1+G*G, C]}, appended in batch order). All tokens go in, CLS included
         * (reference quirk, see {@link MemoryBank}).
         *
         * @throws HeadInputException when the level counts or widths differ from earlier adds
         */
        public Builder add(List<NDArray> segLevels, List<NDArray> detLevels) {
            if (segLevels.isEmpty() || segLevels.size() != detLevels.size()) {
                throw new HeadInputException("memory bank: need the same non-zero number of seg and det levels, got "
                        + segLevels.size() + " seg and " + detLevels.size() + " det");
            }
            if (added > 0 && segLevels.size() != parts.get(TokenBranch.SEG).size()) {
                throw new HeadInputException("memory bank: earlier images had " + parts.get(TokenBranch.SEG).size()
                        + " levels, this one has " + segLevels.size());
            }
            addBranch(TokenBranch.SEG, segLevels);
            addBranch(TokenBranch.DET, detLevels);
            added++;
            return this;
        }

        private void addBranch(TokenBranch branch, List<NDArray> levels) {
            List<List<float[]>> p = parts.get(branch);
            List<Long> w = widths.get(branch);
            for (int k = 0; k < levels.size(); k++) {
                NDArray t = levels.get(k);
                Shape s = t.getShape();
                if (s.dimension() != 2 && s.dimension() != 3) {
                    throw new HeadInputException("memory bank: " + branch + " level " + k
                            + " must be [tokens, C] or [N, tokens, C], got shape " + s);
                }
                long c = s.get(s.dimension() - 1);
                if (added == 0) {
                    p.add(new ArrayList<>());
                    w.add(c);
                } else if (w.get(k) != c) {
                    throw new HeadInputException("memory bank: " + branch + " level " + k + " tokens are " + c
                            + " wide, earlier images' were " + w.get(k));
                }
                p.get(k).add(floats(t));
            }
        }

        private static float[] floats(NDArray t) {
            if (t.getDataType() == DataType.FLOAT32) {
                return t.toFloatArray();
            }
            try (NDArray f = t.toType(DataType.FLOAT32, true)) {
                return f.toFloatArray();
            }
        }

        /** Number of {@link #add} calls so far. */
        public int adds() {
            return added;
        }

        /** Stacks the collected tokens per level into a bank whose memory is a sub-manager of {@code parent}. */
        public MemoryBank build(NDManager parent) {
            if (added == 0) {
                throw new HeadInputException("memory bank: no support images were added");
            }
            Map<TokenBranch, List<float[]>> data = new EnumMap<>(TokenBranch.class);
            for (TokenBranch b : TokenBranch.values()) {
                List<float[]> levels = new ArrayList<>();
                for (List<float[]> chunks : parts.get(b)) {
                    levels.add(concat(chunks));
                }
                data.put(b, levels);
            }
            return new MemoryBank(parent, data, widths);
        }

        private static float[] concat(List<float[]> chunks) {
            int n = 0;
            for (float[] c : chunks) {
                n = Math.addExact(n, c.length);
            }
            float[] out = new float[n];
            int at = 0;
            for (float[] c : chunks) {
                System.arraycopy(c, 0, out, at, c.length);
                at += c.length;
            }
            return out;
        }
    }
}
