package org.mvfaedge.sdk.image.dicom;

/**
 * The DICOM identity of one scored frame: SOP Instance, Series and Study Instance UIDs (null where the
 * file has none), the frame number (from 1) and the pixel spacing in mm (row spacing, column spacing),
 * or null where the file does not give it.
 */
public record DicomInfo(String sopInstanceUid, String seriesInstanceUid, String studyInstanceUid, int frame,
        double[] pixelSpacing) {
    /** Area of {@code pixels} pixels in mm², or null without pixel spacing. */
    public Double areaMm2(long pixels) {
        return pixelSpacing == null ? null : pixels * pixelSpacing[0] * pixelSpacing[1];
    }
}
