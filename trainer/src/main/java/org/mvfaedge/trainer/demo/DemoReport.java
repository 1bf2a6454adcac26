package org.mvfaedge.trainer.demo;

import org.mvfaedge.sdk.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mvfaedge.sdk.image.ImageDecoder;
import org.mvfaedge.sdk.image.RgbImage;
import org.mvfaedge.trainer.data.Sample;
import org.mvfaedge.trainer.eval.EvaluationResult;
import org.mvfaedge.trainer.train.EpochRecord;

/**
 * The demo's self-contained report: {@code report.html} (XHTML syntax, so it is also well-formed XML,
 * with inline SVG charts and no scripts or network resources) and its pictures in
 * {@code report_files/}, referenced by relative paths. Sections: what was run and what to expect, the
 * AUC table in the paper's format (percent, image-level AC and pixel-level AS per setting), ROC curves,
 * the training loss, and a grid of test images with the package's calibrated anomaly maps and the
 * ground-truth masks.
 */
public final class DemoReport {
    /** The folder of the report's pictures, beside {@code report.html}. */
    public static final String FILES = "report_files";
    private static final int GRID_ANOMALOUS = 8;
    private static final int GRID_NORMAL = 4;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"};

    private DemoReport() {
    }

    /** Writes the pictures, then the page (atomically); returns the page's path. */
    public static Path write(DemoRun.Outcome o) throws IOException {
        Path page = o.report();
        Path dir = page.toAbsolutePath().getParent();
        Path files = dir.resolve(FILES);
        AtomicFiles.deleteTree(files);
        Files.createDirectories(files);
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
                .append("<meta charset=\"utf-8\"/>\n<title>MVFA-Edge demo report</title>\n<style>\n")
                .append("body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\n")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:4px 10px;text-align:center}\n")
                .append("th{background:#eee}.note{background:#fff6d5;border:1px solid #e0c060;padding:.6em 1em}\n")
                .append(".grid td{vertical-align:top;font-size:13px}.grid img{width:180px;height:180px;image-rendering:pixelated}\n")
                .append("svg{background:#fff;border:1px solid #ccc;margin:4px}code,pre{background:#f4f4f4}\n")
                .append("pre{padding:.6em;overflow-x:auto}.bad{color:#b00}.ok{color:#070}\n</style>\n</head>\n<body>\n");
        EvaluationResult head = o.headline();
        h.append("<h1>MVFA-Edge demo</h1>\n");
        h.append("<p>Size <b>").append(esc(o.plan().name())).append("</b>, ")
                .append(String.format(Locale.ROOT, "%.0f", o.seconds())).append(" s on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores. Headline (")
                .append(esc(head.object())).append(", few-shot, the paper's protocol): <b id=\"headline\">image AUC ")
                .append(fmt(head.imageAuc())).append(", pixel AUC ").append(fmt(head.pixelAuc())).append("</b>.</p>\n");
        h.append("<div class=\"note\"><p><b>A randomly initialised tiny CLIP stands in for OpenAI's.</b> ")
                .append(esc(DemoRun.describe(o.plan()))).append(". What to expect from it:</p><ul>")
                .append("<li><b>few-shot</b>: the memory bank of normal patches finds the brain lesions well above chance, ")
                .append("because the generated lesions are mostly darker than the tissue normally at that place (as lesions ")
                .append("are on T1) and a random ViT's patch tokens still tell a patch's brightness against its position; ")
                .append("the chest opacities are brighter than the lung and look like any bright normal patch to random ")
                .append("features, so the chest stays near chance (see the per-branch rows below the table);</li>")
                .append("<li><b>zero-shot</b>: the text prompts go through a random text tower, so their features carry ")
                .append("no meaning: the zero-shot AUCs are chance level (around 0.5; with few test images anywhere from about ")
                .append("0.25 to 0.75, inverted as often as not) &#8211; here each object is scored with ")
                .append("adapters trained on the other object, as in the paper's zero-shot setting.</li></ul>")
                .append("<p>The data are generated (brain-MRI-like slices with lesion masks, chest-X-ray-like radiographs ")
                .append("with opacities); the numbers say the pipeline works end to end, not how MVFA performs on real ")
                .append("scans. docs/DEMO.md says how to run on real weights and data.</p></div>\n");

        h.append("<h2>AUC (%), the paper's table format</h2>\n");
        h.append("<table id=\"auc-table\"><thead><tr><th rowspan=\"2\">Object</th><th colspan=\"2\">Zero-shot</th>")
                .append("<th colspan=\"2\">Few-shot (k=").append(o.plan().shot()).append(")</th></tr>")
                .append("<tr><th>AC (image)</th><th>AS (pixel)</th><th>AC (image)</th><th>AS (pixel)</th></tr></thead><tbody>\n");
        for (String obj : o.fewShot().keySet()) {
            EvaluationResult z = o.zeroShot().get(obj);
            EvaluationResult f = o.fewShot().get(obj);
            h.append("<tr><td>").append(esc(obj)).append("</td><td>").append(pct(z.imageAuc())).append("</td><td>")
                    .append(pct(z.pixelAuc())).append("</td><td>").append(pct(f.imageAuc())).append("</td><td>")
                    .append(pct(f.pixelAuc())).append("</td></tr>\n");
        }
        DemoRun.SdkScores sdk = o.sdk();
        h.append("<tr><td>").append(esc(sdk.object())).append(" through the exported package (SDK, calibrated)</td>")
                .append("<td>&#8211;</td><td>&#8211;</td><td>").append(pct(sdk.imageAuc())).append("</td><td>")
                .append(pct(sdk.pixelAuc())).append("</td></tr>\n");
        for (Map.Entry<String, double[]> e : sdk.branches().entrySet()) {
            h.append("<tr><td>").append(esc(sdk.object() + ", " + e.getKey() + " (raw, SDK)")).append("</td>")
                    .append("<td>&#8211;</td><td>&#8211;</td><td>").append(pct(e.getValue()[0])).append("</td><td>")
                    .append(Double.isNaN(e.getValue()[1]) ? "&#8211;" : pct(e.getValue()[1])).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
        h.append("<p>AC: image-level AUROC; AS: pixel-level AUROC (objects with masks only). Scores are normalised over ")
                .append("the test set as the reference does; the SDK row uses the package's fixed calibration instead.</p>\n");

        h.append("<h2>ROC curves</h2>\n<div>");
        List<Curve> image = new ArrayList<>();
        for (String obj : o.fewShot().keySet()) {
            image.add(curve(obj + " few-shot", o.fewShot().get(obj)));
            image.add(curve(obj + " zero-shot", o.zeroShot().get(obj)));
        }
        h.append(rocSvg("Image level (test split)", image));
        List<Curve> sdkCurves = new ArrayList<>();
        sdkCurves.add(new Curve(sdk.object() + " image (SDK)", RocCurve.of(sdk.scores(), labels(sdk.samples()), 200)));
        if (sdk.pixelAuc() != null) {
            sdkCurves.add(new Curve(sdk.object() + " pixel (SDK)", pixelRoc(sdk)));
        }
        h.append(rocSvg("Exported package (SDK)", sdkCurves)).append("</div>\n");

        h.append("<h2>Training loss</h2>\n").append(lossSvg(o.training()));
        for (Map.Entry<String, DemoTraining.Result> e : o.training().entrySet()) {
            Path chart = e.getValue().chart();
            if (Files.isRegularFile(chart)) {
                String name = FILES + "/" + e.getKey() + "-training-chart.png";
                Files.copy(chart, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                h.append("<figure style=\"display:inline-block\"><img src=\"").append(name).append("\" alt=\"training chart of ")
                        .append(esc(e.getKey())).append("\" style=\"max-width:520px\"/><figcaption>")
                        .append(esc(e.getKey())).append(": the trainer's own chart (train-few)</figcaption></figure>\n");
            }
        }

        h.append("<h2>").append(esc(sdk.object())).append(" test images through the package</h2>\n")
                .append("<p>Green outline: the ground-truth lesion mask. Heat map: the package's calibrated anomaly map ")
                .append("(blue low, red high). Decision at the package's threshold ")
                .append(String.format(Locale.ROOT, "%.4f", sdk.threshold())).append(".</p>\n");
        h.append(grid(sdk, files, dir));

        h.append("<h2>Serve the package</h2>\n<pre>./mvfa serve --model ").append(esc(rel(o.packageDir())))
                .append(" --insecure-no-auth\ncurl -s -X POST -H 'Content-Type: image/png' --data-binary @")
                .append(esc(rel(sdk.samples().get(sdk.samples().size() - 1).image())))
                .append(" http://localhost:8080/v1/detect</pre>\n");
        h.append("</body>\n</html>\n");
        AtomicFiles.writeString(page, h.toString());
        return page;
    }

    private static String rel(Path p) {
        return p.toString();
    }

    private record Curve(String label, double[][] points) {
    }

    private static Curve curve(String label, EvaluationResult r) {
        boolean[] l = new boolean[r.imageLabels().length];
        for (int i = 0; i < l.length; i++) {
            l[i] = r.imageLabels()[i] != 0;
        }
        return new Curve(String.format(Locale.ROOT, "%s (AUC %.3f)", label, r.imageAuc()),
                RocCurve.of(r.imageScores(), l, 200));
    }

    private static boolean[] labels(List<Sample> samples) {
        boolean[] l = new boolean[samples.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = samples.get(i).label() == 1;
        }
        return l;
    }

    private static double[][] pixelRoc(DemoRun.SdkScores sdk) {
        int p = sdk.mapSize() * sdk.mapSize();
        int n = sdk.maps().size();
        float[] all = new float[n * p];
        boolean[] lab = new boolean[n * p];
        ImageDecoder decoder = new ImageDecoder();
        org.mvfaedge.sdk.image.Preprocessor pre = new org.mvfaedge.sdk.image.Preprocessor(sdk.mapSize());
        for (int i = 0; i < n; i++) {
            System.arraycopy(sdk.maps().get(i), 0, all, i * p, p);
            Sample s = sdk.samples().get(i);
            if (s.mask() != null) {
                float[] m = pre.mask(decoder.decodeMask(s.mask()));
                for (int k = 0; k < p; k++) {
                    lab[i * p + k] = m[k] > 0.5f;
                }
            }
        }
        return RocCurve.of(all, lab, 200);
    }

    private static String rocSvg(String title, List<Curve> curves) {
        int w = 420;
        int hgt = 400;
        int m = 45;
        int pw = w - m - 15;
        int ph = hgt - m - 60;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"roc\" width=\"").append(w).append("\" height=\"")
                .append(hgt).append("\" viewBox=\"0 0 ").append(w).append(' ').append(hgt).append("\">");
        s.append("<text x=\"").append(w / 2).append("\" y=\"16\" text-anchor=\"middle\" font-size=\"14\">")
                .append(esc(title)).append("</text>");
        int top = 25;
        s.append("<rect x=\"").append(m).append("\" y=\"").append(top).append("\" width=\"").append(pw)
                .append("\" height=\"").append(ph).append("\" fill=\"none\" stroke=\"#888\"/>");
        s.append("<line x1=\"").append(m).append("\" y1=\"").append(top + ph).append("\" x2=\"").append(m + pw)
                .append("\" y2=\"").append(top).append("\" stroke=\"#bbb\" stroke-dasharray=\"4 4\"/>");
        for (int t = 0; t <= 4; t++) {
            double v = t / 4.0;
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%.2f</text>",
                    m + v * pw, top + ph + 12, v));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%.2f</text>",
                    m - 4, top + ph - v * ph + 3, v));
        }
        s.append("<text x=\"").append(m + pw / 2).append("\" y=\"").append(top + ph + 26)
                .append("\" font-size=\"11\" text-anchor=\"middle\">false positive rate</text>");
        s.append("<text x=\"12\" y=\"").append(top + ph / 2).append("\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 12 ")
                .append(top + ph / 2).append(")\">true positive rate</text>");
        for (int c = 0; c < curves.size(); c++) {
            StringBuilder pts = new StringBuilder();
            for (double[] p : curves.get(c).points()) {
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", m + p[0] * pw, top + ph - p[1] * ph));
            }
            String col = COLOURS[c % COLOURS.length];
            s.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(col).append("\" points=\"")
                    .append(pts.toString().trim()).append("\"/>");
            int ly = top + ph + 40 + 12 * c;
            s.append("<rect x=\"").append(m).append("\" y=\"").append(ly - 8).append("\" width=\"10\" height=\"3\" fill=\"")
                    .append(col).append("\"/>");
            s.append("<text x=\"").append(m + 14).append("\" y=\"").append(ly - 4).append("\" font-size=\"11\">")
                    .append(esc(curves.get(c).label())).append("</text>");
        }
        return s.append("</svg>\n").toString();
    }

    /** Mean training loss per epoch (left axis) and the valid-split AUCs the best epoch was chosen on. */
    private static String lossSvg(Map<String, DemoTraining.Result> training) {
        int w = 840;
        int hgt = 300;
        int m = 50;
        int pw = w - 2 * m;
        int ph = hgt - m - 50;
        int top = 20;
        double max = 0;
        int epochs = 1;
        for (DemoTraining.Result r : training.values()) {
            for (EpochRecord e : r.epochs()) {
                max = Math.max(max, e.meanLoss());
            }
            epochs = Math.max(epochs, r.epochs().size());
        }
        max = max <= 0 ? 1 : max * 1.1;
        double denom = Math.max(1, epochs - 1);
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"loss\" width=\"").append(w).append("\" height=\"")
                .append(hgt).append("\" viewBox=\"0 0 ").append(w).append(' ').append(hgt).append("\">");
        s.append("<rect x=\"").append(m).append("\" y=\"").append(top).append("\" width=\"").append(pw)
                .append("\" height=\"").append(ph).append("\" fill=\"none\" stroke=\"#888\"/>");
        for (int t = 0; t <= 4; t++) {
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%.2f</text>",
                    m - 4, top + ph - t / 4.0 * ph + 3, max * t / 4));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" font-size=\"10\">%.2f</text>",
                    m + pw + 4, top + ph - t / 4.0 * ph + 3, t / 4.0));
        }
        for (int e = 0; e < epochs; e++) {
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%d</text>",
                    m + e / denom * pw, top + ph + 12, e + 1));
        }
        s.append("<text x=\"").append(m + pw / 2).append("\" y=\"").append(top + ph + 26).append("\" font-size=\"11\" ")
                .append("text-anchor=\"middle\">epoch (solid: mean training loss, left axis; dashed: valid image AUC, ")
                .append("dotted: valid pixel AUC, right axis)</text>");
        int c = 0;
        for (Map.Entry<String, DemoTraining.Result> en : training.entrySet()) {
            String col = COLOURS[c % COLOURS.length];
            StringBuilder loss = new StringBuilder();
            StringBuilder img = new StringBuilder();
            StringBuilder pix = new StringBuilder();
            for (EpochRecord e : en.getValue().epochs()) {
                double x = m + e.epoch() / denom * pw;
                loss.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, top + ph - e.meanLoss() / max * ph));
                img.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, top + ph - e.metrics().imageAuc() * ph));
                if (Double.isFinite(e.metrics().pixelAuc())) {
                    pix.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, top + ph - e.metrics().pixelAuc() * ph));
                }
                s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", x,
                        top + ph - e.meanLoss() / max * ph, col));
            }
            s.append("<polyline fill=\"none\" stroke-width=\"2.5\" stroke=\"").append(col).append("\" points=\"")
                    .append(loss.toString().trim()).append("\"/>");
            s.append("<polyline fill=\"none\" stroke-dasharray=\"6 4\" stroke=\"").append(col).append("\" points=\"")
                    .append(img.toString().trim()).append("\"/>");
            if (pix.length() > 0) {
                s.append("<polyline fill=\"none\" stroke-dasharray=\"2 3\" stroke=\"").append(col).append("\" points=\"")
                        .append(pix.toString().trim()).append("\"/>");
            }
            EpochRecord best = en.getValue().best();
            s.append("<text x=\"").append(m + 10 + 400 * c).append("\" y=\"").append(top + ph + 44)
                    .append("\" font-size=\"11\" fill=\"").append(col).append("\">")
                    .append(esc(String.format(Locale.ROOT, "%s: best epoch %d (valid image AUC %.3f)", en.getKey(),
                            best.epoch() + 1, best.metrics().imageAuc()))).append("</text>");
            c++;
        }
        return s.append("</svg>\n").toString();
    }

    private static String grid(DemoRun.SdkScores sdk, Path files, Path pageDir) throws IOException {
        List<Integer> pick = new ArrayList<>();
        List<Integer> bad = new ArrayList<>();
        List<Integer> good = new ArrayList<>();
        for (int i = 0; i < sdk.samples().size(); i++) {
            (sdk.samples().get(i).label() == 1 ? bad : good).add(i);
        }
        pick.addAll(bad.subList(0, Math.min(GRID_ANOMALOUS, bad.size())));
        pick.addAll(good.subList(0, Math.min(GRID_NORMAL, good.size())));
        ImageDecoder decoder = new ImageDecoder();
        StringBuilder h = new StringBuilder("<table class=\"grid\"><thead><tr><th>image</th><th>ground truth</th>")
                .append("<th>anomaly map (package)</th><th>result</th></tr></thead><tbody>\n");
        for (int i : pick) {
            Sample s = sdk.samples().get(i);
            RgbImage img = DemoRun.image(s, decoder);
            boolean[] mask = DemoRun.maskOf(s, decoder);
            String stem = (s.label() == 1 ? "ungood-" : "good-") + s.fileName().replaceAll("\\.[^.]*$", "");
            String plain = FILES + "/" + stem + "-image.png";
            String truth = FILES + "/" + stem + "-truth.png";
            String heat = FILES + "/" + stem + "-overlay.png";
            Overlays.writePng(Overlays.withOutline(img, null), pageDir.resolve(plain));
            Overlays.writePng(Overlays.withOutline(img, mask), pageDir.resolve(truth));
            Overlays.writePng(Overlays.overlay(img, sdk.maps().get(i), sdk.mapSize(), mask), pageDir.resolve(heat));
            boolean flagged = sdk.anomalous()[i];
            boolean right = flagged == (s.label() == 1);
            h.append("<tr><td><img src=\"").append(plain).append("\" alt=\"").append(esc(s.fileName())).append("\"/></td>")
                    .append("<td><img src=\"").append(truth).append("\" alt=\"mask of ").append(esc(s.fileName())).append("\"/></td>")
                    .append("<td><img src=\"").append(heat).append("\" alt=\"map of ").append(esc(s.fileName())).append("\"/></td>")
                    .append("<td>").append(esc(s.fileName())).append("<br/>truth: ").append(s.label() == 1 ? "lesion" : "normal")
                    .append("<br/>score ").append(String.format(Locale.ROOT, "%.3f", sdk.scores()[i])).append("<br/><span class=\"")
                    .append(right ? "ok" : "bad").append("\">").append(flagged ? "anomalous" : "normal")
                    .append(right ? " (correct)" : " (wrong)").append("</span></td></tr>\n");
        }
        return h.append("</tbody></table>\n").toString();
    }

    static String fmt(Double v) {
        return v == null ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }

    static String pct(Double v) {
        return v == null ? "&#8211;" : String.format(Locale.ROOT, "%.2f", 100 * v);
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
