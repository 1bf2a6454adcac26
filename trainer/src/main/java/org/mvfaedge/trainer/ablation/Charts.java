package org.mvfaedge.trainer.ablation;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * The two charts: the ablation's AUCs per level set (grouped bars) and the training curves of several runs
 * (loss, image and pixel AUC per epoch). Each is drawn once on a {@link Canvas}, as SVG and as PNG.
 */
public final class Charts {
    static final Color IMAGE = new Color(40, 90, 200);
    static final Color PIXEL = new Color(40, 160, 80);
    static final Color GRID = new Color(225, 225, 225);
    static final Color[] RUNS = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
        new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194),
        new Color(127, 127, 127)};

    private Charts() {
    }

    /** A chart as SVG text and as a PNG image. */
    public record Drawn(String svg, BufferedImage png) {
    }

    /** Grouped bars of image and pixel AUC (percent) per level set; a missing value is no bar. */
    public static Drawn aucBars(String title, List<String> labels, double[] image, double[] pixel) {
        int w = Math.max(520, 110 + 120 * labels.size());
        int h = 380;
        Canvas.Svg svg = new Canvas.Svg(w, h);
        Canvas.Png png = new Canvas.Png(w, h);
        for (Canvas c : new Canvas[] {svg, png}) {
            drawBars(c, w, h, title, labels, image, pixel);
        }
        return new Drawn(svg.document(), png.done());
    }

    private static void drawBars(Canvas c, int w, int h, String title, List<String> labels, double[] image,
            double[] pixel) {
        double left = 64;
        double right = w - 20;
        double top = 50;
        double bottom = h - 60;
        c.text(w / 2.0, 24, title, 16, Color.BLACK, 0.5);
        for (int p = 0; p <= 100; p += 20) {
            double y = bottom - p / 100.0 * (bottom - top);
            c.line(left, y, right, y, GRID, 1, false);
            c.text(left - 8, y + 5, p + "", 13, Color.DARK_GRAY, 1);
        }
        c.text(18, top - 14, "AUC %", 13, Color.DARK_GRAY, 0);
        double slot = (right - left) / labels.size();
        double bar = Math.min(40, slot / 3);
        for (int i = 0; i < labels.size(); i++) {
            double cx = left + slot * (i + 0.5);
            bar(c, cx - bar, bar, image[i], bottom, top, IMAGE);
            bar(c, cx, bar, pixel[i], bottom, top, PIXEL);
            c.text(cx, bottom + 22, labels.get(i), 13, Color.BLACK, 0.5);
        }
        c.line(left, bottom, right, bottom, Color.BLACK, 1, false);
        c.rect(right - 210, h - 26, 12, 12, IMAGE);
        c.text(right - 192, h - 15, "image AUC", 13, Color.BLACK, 0);
        c.rect(right - 105, h - 26, 12, 12, PIXEL);
        c.text(right - 87, h - 15, "pixel AUC", 13, Color.BLACK, 0);
    }

    private static void bar(Canvas c, double x, double w, double auc, double bottom, double top, Color color) {
        if (!Double.isFinite(auc)) {
            c.text(x + w / 2, bottom - 6, "n/a", 12, Color.GRAY, 0.5);
            return;
        }
        double hgt = auc * (bottom - top);
        c.rect(x, bottom - hgt, w - 2, hgt, color);
        c.text(x + w / 2, bottom - hgt - 5, String.format(Locale.ROOT, "%.1f", 100 * auc), 12, Color.BLACK, 0.5);
    }

    /** One training run's curve: x (epochs, fractional for mid-epoch evaluations), loss, image and pixel AUC. */
    public record Curve(String name, double[] x, double[] loss, double[] image, double[] pixel) {
    }

    /** Two panels: mean training loss, and image (solid) / pixel (dashed) AUC, one colour per run. */
    public static Drawn curves(List<Curve> runs) {
        int w = 1100;
        int h = 440 + 20 * runs.size();
        Canvas.Svg svg = new Canvas.Svg(w, h);
        Canvas.Png png = new Canvas.Png(w, h);
        for (Canvas c : new Canvas[] {svg, png}) {
            panel(c, 10, 10, w / 2 - 20, 400, "mean training loss", runs, true);
            panel(c, w / 2 + 10, 10, w / 2 - 20, 400, "AUC (image solid, pixel dashed)", runs, false);
            for (int i = 0; i < runs.size(); i++) {
                double y = 432 + 20 * i;
                Color col = RUNS[i % RUNS.length];
                c.line(70, y - 5, 100, y - 5, col, 3, false);
                c.text(108, y, runs.get(i).name(), 13, Color.BLACK, 0);
            }
        }
        return new Drawn(svg.document(), png.done());
    }

    private static void panel(Canvas c, double x0, double y0, double pw, double ph, String title, List<Curve> runs,
            boolean loss) {
        double left = x0 + 60;
        double right = x0 + pw - 10;
        double top = y0 + 30;
        double bottom = y0 + ph - 36;
        c.text(left, y0 + 18, title, 15, Color.BLACK, 0);
        double xmin = Double.POSITIVE_INFINITY;
        double xmax = Double.NEGATIVE_INFINITY;
        double ymin = loss ? Double.POSITIVE_INFINITY : 0;
        double ymax = loss ? Double.NEGATIVE_INFINITY : 1;
        for (Curve r : runs) {
            for (int i = 0; i < r.x().length; i++) {
                xmin = Math.min(xmin, r.x()[i]);
                xmax = Math.max(xmax, r.x()[i]);
                if (loss && Double.isFinite(r.loss()[i])) {
                    ymin = Math.min(ymin, r.loss()[i]);
                    ymax = Math.max(ymax, r.loss()[i]);
                }
            }
        }
        if (!(xmax > xmin)) {
            xmin = Double.isFinite(xmin) ? xmin - 0.5 : 0;
            xmax = xmin + 1;
        }
        if (!(ymax > ymin)) {
            ymin = Double.isFinite(ymin) ? ymin - 0.5 : 0;
            ymax = ymin + 1;
        }
        for (int k = 0; k <= 4; k++) {
            double v = ymin + (ymax - ymin) * k / 4;
            double y = bottom - (v - ymin) / (ymax - ymin) * (bottom - top);
            c.line(left, y, right, y, GRID, 1, false);
            c.text(left - 6, y + 5, String.format(Locale.ROOT, loss ? "%.3g" : "%.2f", v), 12, Color.DARK_GRAY, 1);
        }
        for (int k = 0; k <= 4; k++) {
            double v = xmin + (xmax - xmin) * k / 4;
            double x = left + (v - xmin) / (xmax - xmin) * (right - left);
            c.text(x, bottom + 18, String.format(Locale.ROOT, "%.1f", v), 12, Color.DARK_GRAY, 0.5);
        }
        c.text((left + right) / 2, bottom + 34, "epoch", 12, Color.DARK_GRAY, 0.5);
        c.line(left, bottom, right, bottom, Color.BLACK, 1, false);
        c.line(left, top, left, bottom, Color.BLACK, 1, false);
        for (int i = 0; i < runs.size(); i++) {
            Curve r = runs.get(i);
            Color col = RUNS[i % RUNS.length];
            if (loss) {
                series(c, r.x(), r.loss(), xmin, xmax, ymin, ymax, left, right, top, bottom, col, false);
            } else {
                series(c, r.x(), r.image(), xmin, xmax, ymin, ymax, left, right, top, bottom, col, false);
                series(c, r.x(), r.pixel(), xmin, xmax, ymin, ymax, left, right, top, bottom, col, true);
            }
        }
    }

    /** A polyline over the finite points (a gap where a value is missing). */
    private static void series(Canvas c, double[] x, double[] y, double xmin, double xmax, double ymin, double ymax,
            double left, double right, double top, double bottom, Color col, boolean dashed) {
        int i = 0;
        while (i < x.length) {
            while (i < x.length && !Double.isFinite(y[i])) {
                i++;
            }
            int start = i;
            while (i < x.length && Double.isFinite(y[i])) {
                i++;
            }
            int n = i - start;
            if (n == 0) {
                continue;
            }
            double[] px = new double[n];
            double[] py = new double[n];
            for (int k = 0; k < n; k++) {
                px[k] = left + (x[start + k] - xmin) / (xmax - xmin) * (right - left);
                py[k] = bottom - (y[start + k] - ymin) / (ymax - ymin) * (bottom - top);
            }
            if (n == 1) {
                c.rect(px[0] - 3, py[0] - 3, 6, 6, col);
            } else {
                c.polyline(px, py, col, 2.5, dashed);
            }
        }
    }
}
