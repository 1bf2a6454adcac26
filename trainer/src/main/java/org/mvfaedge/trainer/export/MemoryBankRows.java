package org.mvfaedge.trainer.export;

import java.util.ArrayList;
import java.util.List;
import org.mvfaedge.trainer.heads.MemoryBank;
import org.mvfaedge.trainer.heads.TokenBranch;
import org.mvfaedge.trainer.weights.HostTensor;

/**
 * The few-shot memory bank as host rows for export: per adapter level, the seg and the det tokens
 * [M,C] of the normal support images (the trainer's DJL-held bank converts with {@link #of}). Reference quirk: MVFA stores every token of every augmented shot, CLS included, so
 * M = shots x augmentations x (1 + G*G).
 *
 * @param seg seg tokens per level, level 0 first
 * @param det det tokens per level
 */
public record MemoryBankRows(List<HostTensor> seg, List<HostTensor> det) {
    public MemoryBankRows {
        seg = List.copyOf(seg);
        det = List.copyOf(det);
        if (seg.size() != det.size() || seg.isEmpty()) {
            throw new IllegalArgumentException("a memory bank needs seg and det tokens for the same levels, got "
                    + seg.size() + " seg and " + det.size() + " det levels");
        }
        checkRows("seg", seg);
        checkRows("det", det);
    }

    private static void checkRows(String branch, List<HostTensor> levels) {
        for (int k = 0; k < levels.size(); k++) {
            HostTensor t = levels.get(k);
            if (t.rank() != 2 || t.dim(0) == 0) {
                throw new IllegalArgumentException(branch + " memory of level " + k + " must be [M,C] with M > 0, got "
                        + t);
            }
        }
    }

    /** The rows of the trainer's bank, copied off the device. */
    public static MemoryBankRows of(MemoryBank bank) {
        List<HostTensor> seg = new ArrayList<>();
        List<HostTensor> det = new ArrayList<>();
        for (int k = 0; k < bank.levels(); k++) {
            seg.add(rows(bank, TokenBranch.SEG, k));
            det.add(rows(bank, TokenBranch.DET, k));
        }
        return new MemoryBankRows(seg, det);
    }

    private static HostTensor rows(MemoryBank bank, TokenBranch branch, int level) {
        float[] v = bank.toFloatArray(branch, level);
        long m = bank.size(branch, level);
        return HostTensor.ofFloats(new long[] {m, v.length / m}, v);
    }

    /** Number of levels. */
    public int levels() {
        return seg.size();
    }

    /**
     * The rows divided by their L2 norm (clamped at 1e-8 as the reference's {@code cos_sim} does), in
     * float32: the graph then normalises only the query tokens.
     */
    public static float[] normalisedRows(HostTensor bank) {
        int rows = (int) bank.dim(0);
        int cols = (int) bank.dim(1);
        float[] in = bank.floats();
        float[] out = new float[in.length];
        for (int r = 0; r < rows; r++) {
            double sq = 0;
            for (int c = 0; c < cols; c++) {
                double v = in[r * cols + c];
                sq += v * v;
            }
            float norm = Math.max((float) Math.sqrt(sq), 1e-8f);
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = in[r * cols + c] / norm;
            }
        }
        return out;
    }
}
