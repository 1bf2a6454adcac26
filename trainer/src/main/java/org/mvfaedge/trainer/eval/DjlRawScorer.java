package org.mvfaedge.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.mvfaedge.sdk.runtime.RawOutputs;
import org.mvfaedge.sdk.runtime.RawScorer;
import org.mvfaedge.trainer.heads.FewShotHead;
import org.mvfaedge.trainer.heads.FewShotOutput;
import org.mvfaedge.trainer.heads.MemoryBank;
import org.mvfaedge.trainer.heads.TokenBranch;
import org.mvfaedge.trainer.heads.ZeroShotHead;
import org.mvfaedge.trainer.heads.ZeroShotOutput;
import org.mvfaedge.trainer.model.MvfaVisionOutput;
import org.mvfaedge.trainer.pipeline.MvfaModel;
import org.mvfaedge.trainer.text.ObjectInfo;

/**
 * The trainer's DJL model as a {@link RawScorer}: the same raw outputs as an exported graph
 * (zero-shot map and score; few-shot map and det score when a memory bank is given).
 */
public final class DjlRawScorer implements RawScorer {
    private final MvfaModel model;
    private final ObjectInfo object;
    private final MemoryBank bank;
    private final ZeroShotHead zeroHead;
    private final FewShotHead fewHead;

    /** @param bank the few-shot memory bank, or null for zero-shot outputs only */
    private final Branches branches;

    public DjlRawScorer(MvfaModel model, ObjectInfo object, MemoryBank bank) {
        this(model, object, bank, Branches.BOTH);
    }

    /** A scorer whose heads take their tokens from {@code branches} (the ablation's choice; the paper's is BOTH). */
    public DjlRawScorer(MvfaModel model, ObjectInfo object, MemoryBank bank, Branches branches) {
        this.branches = branches;
        this.model = model;
        this.object = object;
        this.bank = bank;
        this.zeroHead = new ZeroShotHead(model.settings().imageSize());
        this.fewHead = new FewShotHead(model.settings().imageSize());
    }

    @Override
    public int imageSize() {
        return model.settings().imageSize();
    }

    @Override
    public boolean fewShot() {
        return bank != null;
    }

    @Override
    public RawOutputs score(float[] images, int n) {
        try (NDManager sub = model.manager().newSubManager()) {
            MvfaVisionOutput out = model.forward(sub, images, n, false);
            List<NDArray> seg = out.segTokens();
            List<NDArray> det = out.detTokens();
            float[] zeroMap;
            float[] zeroScore;
            List<NDArray> pixelTokens = branches.pixel() == TokenBranch.SEG ? seg : det;
            List<NDArray> imageTokens = branches.image() == TokenBranch.SEG ? seg : det;
            try (ZeroShotOutput z = zeroHead.forward(pixelTokens, imageTokens, model.textFeatureArray(sub, object))) {
                zeroMap = z.pixelMap().toFloatArray();
                zeroScore = z.imageScore().toFloatArray();
            }
            float[] fewMap = null;
            float[] fewScore = null;
            if (bank != null) {
                try (FewShotOutput f = fewHead.forward(pixelTokens, imageTokens, bank, branches.pixel(), branches.image())) {
                    fewMap = f.segMap().toFloatArray();
                    fewScore = f.detScore().toFloatArray();
                }
            }
            return new RawOutputs(n, imageSize(), zeroMap, zeroScore, fewMap, fewScore);
        }
    }
}
