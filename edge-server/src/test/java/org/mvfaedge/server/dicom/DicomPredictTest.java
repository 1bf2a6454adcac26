package org.mvfaedge.server.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.server.TestPackages;
import org.mvfaedge.server.cli.EdgeMain;
import picocli.CommandLine;

/**
 * {@code mvfa-edge predict} on DICOM, in-process, on the package exported from the golden fixture:
 * one JSON line per frame with the file's identity, {@code --save-input} PNGs against numpy's rendering
 * over pydicom's pixels, {@code --dicom-out} Secondary Captures against dciodvfy and pydicom, and the
 * four damaged inputs refused with exit 2 and one line each.
 */
class DicomPredictTest {
    @TempDir
    static Path tmp;
    static Path pkg;

    @BeforeAll
    static void setUp() {
        DicomSamples.require();
        pkg = TestPackages.brainFew();
    }

    record Run(int rc, String out, String err, double ms) {
    }

    static Run predict(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = EdgeMain.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 5];
        all[0] = "predict";
        all[1] = "--model";
        all[2] = pkg.toString();
        all[3] = "--providers";
        all[4] = "cpu";
        System.arraycopy(args, 0, all, 5, args.length);
        long t0 = System.nanoTime();
        int rc = cl.execute(all);
        return new Run(rc, out.toString(), err.toString(), (System.nanoTime() - t0) / 1e6);
    }

    @Test
    void multiFrameGivesOneJsonLinePerFrameWithItsIdentityAndFiles() throws Exception {
        Path multi = DicomSamples.multiFrame(tmp, 3);
        Path saved = tmp.resolve("saved");
        Path sc = tmp.resolve("sc");
        Run r = predict("--json", "--save-input", saved.toString(), "--dicom-out", sc.toString(), multi.toString());
        assertEquals(0, r.rc(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out());
        for (int f = 1; f <= 3; f++) {
            JsonNode j = new ObjectMapper().readTree(lines.get(f - 1));
            JsonNode d = j.get("dicom");
            assertEquals(f, d.get("frame").asInt());
            assertEquals("1.2.826.0.1.3680043.8.498.1", d.get("sop_instance_uid").asText());
            assertEquals("1.2.826.0.1.3680043.8.498.3", d.get("series_instance_uid").asText());
            assertEquals("1.2.826.0.1.3680043.8.498.2", d.get("study_instance_uid").asText());
            assertEquals(0.5, d.get("pixel_spacing").get(0).asDouble());
            assertEquals("1000,4000", d.get("window").asText());
            for (JsonNode g : j.get("regions")) {
                assertEquals(g.get("area").asDouble() * 0.25, g.get("area_mm2").asDouble(), 1e-9);
            }
            BufferedImage png = ImageIO.read(saved.resolve("multi3_f" + f + ".png").toFile());
            assertEquals(64, png.getWidth());
            // the window 1000,4000 maps the rectangle (3000) to 255 * (3000 - 999.5) / 3999 + 127.5 -> 255
            assertEquals(255, png.getRaster().getSample(15 + 10 * (f - 1), 30, 0));
            assertEquals(0, png.getRaster().getSample(2, 2, 0)); // -1000: at the window's lower edge
            Path capture = sc.resolve("multi3_f" + f + ".sc.dcm");
            DicomSamples.assertValid(capture);
        }
        // pydicom reads the study UID back: the captures are in the source's study, one new series
        Path script = tmp.resolve("uids.py");
        Files.writeString(script, "import sys, pydicom\nfor f in sys.argv[1:]:\n"
                + "    ds = pydicom.dcmread(f)\n    print(ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.InstanceNumber,"
                + " ds.SeriesDescription)\n");
        String out = DicomSamples.run(tmp, DicomSamples.PYTHON.toString(), "-I", script.toString(),
                sc.resolve("multi3_f1.sc.dcm").toString(), sc.resolve("multi3_f3.sc.dcm").toString());
        List<String> uids = out.lines().toList();
        assertEquals(2, uids.size(), out);
        String[] a = uids.get(0).split(" ", 4);
        String[] b = uids.get(1).split(" ", 4);
        assertEquals("1.2.826.0.1.3680043.8.498.2", a[0]);
        assertEquals("1.2.826.0.1.3680043.8.498.2", b[0]);
        assertEquals(a[1], b[1], "one series for the frames of one source");
        assertEquals("1", a[2]);
        assertEquals("3", b[2]);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertTrue(a[3].startsWith("MVFA " + (first.get("decision").asText().equals("anomalous") ? "ANOMALOUS" : "normal")
                + " score "), a[3]);
    }

    @Test
    void framesSelectsAndRefusesFramesPastTheEnd() throws Exception {
        Path multi = DicomSamples.multiFrame(tmp, 3);
        Run r = predict("--json", "--frames", "2", multi.toString());
        assertEquals(0, r.rc(), r.err());
        assertEquals(1, r.out().lines().count());
        assertEquals(2, new ObjectMapper().readTree(r.out()).get("dicom").get("frame").asInt());
        Run bad = predict("--frames", "1,5-9", multi.toString());
        assertEquals(2, bad.rc());
        assertTrue(bad.err().contains("frame 9 was asked for but the image has 3 frame(s)"), bad.err());
    }

    @Test
    void savedInputOfSingleFrameFilesEqualsNumpyRenderingWithinOneLevel() throws Exception {
        List<String> names = List.of("CT_small.dcm", "MR_small.dcm", "MR_small_bigendian.dcm", "MR_small_RLE.dcm",
                "MR_small_jp2klossless.dcm", "JPEG2000.dcm", "image_dfl.dcm", "693_J2KI.dcm");
        Path truth = Files.createDirectories(tmp.resolve("numpy"));
        List<Path> files = names.stream().map(DicomSamples.TEST_FILES::resolve).toList();
        DicomSamples.numpyRenderings(truth, files);
        for (String window : List.of("file", "minmax")) {
            Path saved = tmp.resolve("saved-" + window);
            String[] args = new String[3 + files.size()];
            args[0] = "--save-input";
            args[1] = saved.toString();
            args[2] = "--dicom-window=" + window;
            for (int i = 0; i < files.size(); i++) {
                args[3 + i] = files.get(i).toString();
            }
            Run r = predict(args);
            assertEquals(0, r.rc(), r.err());
            for (String name : names) {
                byte[] want = Files.readAllBytes(truth.resolve(name + "." + window + ".render"));
                BufferedImage png = ImageIO.read(saved.resolve(name.replace(".dcm", "") + ".png").toFile());
                int max = 0;
                for (int y = 0; y < png.getHeight(); y++) {
                    for (int x = 0; x < png.getWidth(); x++) {
                        max = Math.max(max, Math.abs(png.getRaster().getSample(x, y, 0)
                                - (want[y * png.getWidth() + x] & 0xff)));
                    }
                }
                assertTrue(max <= 1, name + " " + window + ": max diff " + max);
                assertEquals(want.length, png.getWidth() * png.getHeight(), name);
            }
        }
    }

    @Test
    void damagedInputsAreRefusedWithExit2AndOneLineFast() throws Exception {
        Map<String, byte[]> bad = Map.of("truncated", DicomSamples.truncated(), "no-pixels", DicomSamples.noPixelData(),
                "huge", DicomSamples.hugeHeader(), "corrupt-fragment", DicomSamples.corruptFragment());
        Map<String, String> says = Map.of("truncated", "claims 32768 bytes but only", "no-pixels",
                "has no Pixel Data (7FE0,0010)", "huge", "over the limit of", "corrupt-fragment",
                "RLE header declares 9 segments");
        predict(DicomSamples.TEST_FILES.resolve("MR_small.dcm").toString()); // warm: the first run loads ONNX Runtime
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            Path f = Files.write(tmp.resolve(e.getKey() + ".dcm"), e.getValue());
            Run r = predict(f.toString());
            assertEquals(2, r.rc(), e.getKey() + ": " + r.err());
            List<String> lines = r.err().lines().toList();
            // the refusal and the summary line
            assertEquals(2, lines.size(), r.err());
            assertTrue(lines.get(0).contains(says.get(e.getKey())), lines.get(0));
            assertFalse(r.err().contains("Exception"), r.err());
            assertTrue(r.ms() < 5000, e.getKey() + " took " + r.ms() + " ms");
        }
    }
}
