package org.mvfaedge.trainer.eval;

import java.util.Locale;
import org.mvfaedge.trainer.heads.TokenBranch;

/**
 * Which adapter branch's tokens feed the heads at test time. The paper (and the default, {@link #BOTH}):
 * the seg adapters' tokens give the pixel maps, the det adapters' tokens the image scores. The ablation
 * ({@code ablate --branches}) also scores with one branch alone, for both outputs, against that branch's
 * text features and memory bank, to see which branch carries the result.
 */
public enum Branches {
    BOTH, SEG, DET;

    /** The branch whose tokens give the pixel maps. */
    public TokenBranch pixel() {
        return this == DET ? TokenBranch.DET : TokenBranch.SEG;
    }

    /** The branch whose tokens give the image scores. */
    public TokenBranch image() {
        return this == SEG ? TokenBranch.SEG : TokenBranch.DET;
    }

    /** The command-line name: both, seg or det. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Branches parse(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "both" -> BOTH;
            case "seg" -> SEG;
            case "det" -> DET;
            default -> throw new IllegalArgumentException("branches must be both, seg or det, got '" + s + "'");
        };
    }
}
