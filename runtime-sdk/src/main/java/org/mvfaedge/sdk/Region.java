package org.mvfaedge.sdk;

/**
 * A connected region of the anomaly map at or above the decision threshold, in the coordinates of
 * the input image (pixels, origin top left).
 *
 * @param x left column of the bounding box
 * @param y top row of the bounding box
 * @param width bounding box width (pixels)
 * @param height bounding box height (pixels)
 * @param area pixels in the region (not the box)
 * @param peak largest calibrated map value in the region
 * @param peakX column of the peak
 * @param peakY row of the peak
 * @param mean mean calibrated map value over the region's pixels
 */
public record Region(int x, int y, int width, int height, long area, float peak, int peakX, int peakY, float mean) {
}
