package org.mvfaedge.trainer.text;

/**
 * One object (data set) MVFA knows: its folder name (e.g. {@code Retina_RESC}), the real name its
 * prompts use (e.g. {@code retinal OCT}), and its class index, whose sign says whether the data
 * set has pixel masks (positive: segmentation and detection) or image labels only (negative:
 * detection only).
 */
public record ObjectInfo(String name, String realName, int classIndex, boolean hasMasks) {
    public ObjectInfo {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("object name must not be blank");
        }
        if (realName == null || realName.isBlank()) {
            throw new IllegalArgumentException("object " + name + ": real name (used in the prompts) must not be blank");
        }
        if (classIndex == 0) {
            throw new IllegalArgumentException("object " + name
                    + ": class index must be positive (has pixel masks) or negative (image labels only), not 0");
        }
        if (hasMasks != classIndex > 0) {
            throw new IllegalArgumentException("object " + name + ": class index " + classIndex
                    + (hasMasks ? " is not positive but the object has masks" : " is positive but the object has no masks"));
        }
    }
}
