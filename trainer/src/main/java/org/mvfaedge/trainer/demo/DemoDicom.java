package org.mvfaedge.trainer.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.DetectorOptions;
import org.mvfaedge.sdk.ExecutionProvider;
import org.mvfaedge.sdk.MvfaException;
import org.mvfaedge.sdk.dicom.DicomDetector;
import org.mvfaedge.sdk.dicom.DicomResult;
import org.mvfaedge.sdk.dicom.FrameSelection;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.RgbImage;
import org.mvfaedge.sdk.image.dicom.GreyImageWriter;
import org.mvfaedge.sdk.image.dicom.SecondaryCapture;
import org.mvfaedge.trainer.data.Sample;

/**
 * The demo's DICOM leg: the brain test images written as 16-bit MR DICOM, as a scanner would send them
 * (stored value = 16 x grey + 1024, rescale intercept -1024, window 2040.5 / 4081, which renders back to
 * exactly the grey of the PNG), then scored through {@link DicomDetector} with the exported package. The
 * scores must equal the PNGs' scores: DICOM in works end to end.
 */
public final class DemoDicom {
    static final int OFFSET = 1024;
    static final double CENTER = 2040.5;
    static final double WIDTH = 4081;

    private DemoDicom() {
    }

    /** What the DICOM leg measured. */
    public record Result(int files, double maxScoreDifference, int flagged, Path folder) {
    }

    /** Writes the images of {@code test} as DICOM into {@code folder}; returns the files in order. */
    static List<Path> write(List<Sample> test, Path folder) throws IOException {
        Files.createDirectories(folder);
        ImageDecoder decoder = new ImageDecoder();
        String study = SecondaryCapture.newUid();
        String series = SecondaryCapture.newUid();
        List<Path> files = new java.util.ArrayList<>();
        int n = 0;
        for (Sample s : test) {
            RgbImage img = decoder.decode(s.image());
            byte[] rgb = img.toByteArray();
            short[] stored = new short[img.width() * img.height()];
            for (int i = 0; i < stored.length; i++) {
                int grey = PixelLuma.of(rgb[3 * i] & 0xff, rgb[3 * i + 1] & 0xff, rgb[3 * i + 2] & 0xff);
                stored[i] = (short) (16 * grey + OFFSET);
            }
            byte[] dcm = GreyImageWriter.mr16(stored, img.width(), img.height(), 1, -OFFSET, CENTER, WIDTH, 1.0,
                    "DEMO", study, series, SecondaryCapture.newUid(), ++n);
            String name = s.image().getFileName().toString().replaceFirst("\\.[^.]+$", "") + ".dcm";
            Path target = folder.resolve(String.format(Locale.ROOT, "%03d_%s", n, name));
            Path tmp = Files.createTempFile(folder, ".dicom", ".tmp");
            Files.write(tmp, dcm);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            files.add(target);
        }
        return files;
    }

    /** Grey of an RGB pixel: the demo's images are grey (R = G = B); PIL's luma otherwise. */
    static final class PixelLuma {
        static int of(int r, int g, int b) {
            return r == g && g == b ? r : (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
        }
    }

    /** Writes and scores; {@code say} gets the demo's lines. */
    public static Result run(Path pkg, List<Sample> test, Path folder, Consumer<String> say) throws IOException {
        List<Path> files = write(test, folder);
        double maxDiff = 0;
        int flagged = 0;
        try (AnomalyDetector d = AnomalyDetector.open(pkg,
                DetectorOptions.builder().providers(ExecutionProvider.CPU).build())) {
            DicomDetector dd = new DicomDetector(d);
            for (int i = 0; i < files.size(); i++) {
                DicomResult r = dd.detect(dd.read(files.get(i)), FrameSelection.ALL, null).get(0);
                float png = d.detect(test.get(i).image()).score();
                maxDiff = Math.max(maxDiff, Math.abs(r.detection().score() - png));
                flagged += r.detection().anomalous() ? 1 : 0;
            }
        } catch (MvfaException e) {
            say.accept("  DICOM: could not score the DICOM files: " + e.getMessage());
            return new Result(files.size(), Double.NaN, 0, folder);
        }
        say.accept(String.format(Locale.ROOT, "  DICOM: %d test images as 16-bit MR DICOM (rescale intercept %d, window"
                + " %.1f/%.0f) in %s, scored through DicomDetector: %d flagged, max score difference to the PNGs %.2e",
                files.size(), -OFFSET, CENTER, WIDTH, folder, flagged, maxDiff));
        return new Result(files.size(), maxDiff, flagged, folder);
    }
}
