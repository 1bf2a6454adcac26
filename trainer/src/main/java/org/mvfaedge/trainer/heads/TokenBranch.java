package org.mvfaedge.trainer.heads;

/** The two adapter branches of MVFA: seg tokens feed the pixel maps, det tokens the image scores. */
public enum TokenBranch {
    SEG, DET
}
