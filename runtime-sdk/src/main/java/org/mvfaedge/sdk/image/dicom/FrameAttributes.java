package org.mvfaedge.sdk.image.dicom;

/**
 * What renders one frame: the modality transform (rescale slope and intercept, or a LUT), the file's
 * first VOI window (center, width; null when it has none) with its VOI LUT function, and the pixel
 * spacing in mm (row, column; null when unknown).
 */
public record FrameAttributes(double rescaleSlope, double rescaleIntercept, Lut modalityLut, Double windowCenter,
        Double windowWidth, String voiFunction, double[] pixelSpacing) {
}
