package org.mvfaedge.trainer.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.image.dicom.DicomImage;
import org.mvfaedge.sdk.image.dicom.DicomRendering;
import org.mvfaedge.sdk.image.dicom.DicomWindow;
import org.mvfaedge.trainer.data.Sample;

/**
 * The demo's DICOM files render, with their own window, to exactly the grey PNGs they were made from,
 * so the model sees the same pixels through DICOM as through PNG.
 */
class DemoDicomTest {
    @Test
    void dicomOfAGreyPngRendersBackToIt(@TempDir Path tmp) throws Exception {
        List<Sample> samples = new ArrayList<>();
        List<BufferedImage> pngs = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            BufferedImage img = new BufferedImage(20 + k, 13, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    img.getRaster().setSample(x, y, 0, (x * 11 + y * 7 + k * 50) % 256);
                }
            }
            Path p = tmp.resolve("img" + k + ".png");
            ImageIO.write(img, "png", p.toFile());
            samples.add(new Sample(p, k, null));
            pngs.add(img);
        }
        List<Path> files = DemoDicom.write(samples, tmp.resolve("dicom"));
        assertEquals(2, files.size());
        for (int k = 0; k < 2; k++) {
            DicomImage d = DicomImage.read(files.get(k), 1_000_000);
            assertEquals(16, d.bitsStored());
            DicomRendering.Rendered r = DicomRendering.render(d, 1, DicomWindow.FILE);
            BufferedImage img = pngs.get(k);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    assertEquals(img.getRaster().getSample(x, y, 0), r.samples()[y * img.getWidth() + x] & 0xff);
                }
            }
        }
    }
}
