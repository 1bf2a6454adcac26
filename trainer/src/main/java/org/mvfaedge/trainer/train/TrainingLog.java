package org.mvfaedge.trainer.train;

import org.mvfaedge.sdk.util.AtomicFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The per-evaluation log of a run as JSON lines ({@code epoch, step, loss, image_auc, pixel_auc,
 * criterion, seconds, best}) and a PNG chart of the loss and the AUCs, both rewritten atomically
 * after every evaluation.
 */
public final class TrainingLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path jsonl;
    private final Path chart;
    private final List<EpochRecord> records = new ArrayList<>();

    public TrainingLog(Path jsonl, Path chart) {
        this.jsonl = jsonl;
        this.chart = chart;
    }

    public List<EpochRecord> records() {
        return List.copyOf(records);
    }

    /** Reloads the records of epochs before {@code untilEpoch} from an existing log (resume). */
    public void reload(int untilEpoch) {
        records.clear();
        if (!Files.isRegularFile(jsonl)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = JSON.readTree(line);
                int epoch = n.get("epoch").asInt();
                if (epoch >= untilEpoch) {
                    continue;
                }
                records.add(new EpochRecord(epoch, n.path("step").asInt(), num(n, "loss"),
                        new EpochMetrics(num(n, "image_auc"), num(n, "pixel_auc"), num(n, "criterion")),
                        num(n, "seconds"), n.path("best").asBoolean()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the training log " + jsonl + ": " + e.getMessage(), e);
        }
    }

    private static double num(JsonNode n, String k) {
        JsonNode v = n.get(k);
        return v == null || v.isNull() ? Double.NaN : v.asDouble();
    }

    public void add(EpochRecord r) {
        records.add(r);
        StringBuilder sb = new StringBuilder();
        for (EpochRecord e : records) {
            sb.append(toJson(e)).append('\n');
        }
        try {
            AtomicFiles.writeString(jsonl, sb.toString());
            if (chart != null) {
                AtomicFiles.writePng(chart, draw());
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String toJson(EpochRecord e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("epoch", e.epoch());
        n.put("step", e.step());
        putNum(n, "loss", e.meanLoss());
        putNum(n, "image_auc", e.metrics().imageAuc());
        putNum(n, "pixel_auc", e.metrics().pixelAuc());
        putNum(n, "criterion", e.metrics().criterion());
        n.put("seconds", Math.round(e.seconds() * 1000) / 1000.0);
        n.put("best", e.best());
        return n.toString();
    }

    static void putNum(ObjectNode n, String k, double v) {
        if (Double.isFinite(v)) {
            n.put(k, v);
        } else {
            n.putNull(k);
        }
    }

    /** Two panels: mean training loss, and image / pixel AUC, per evaluation. */
    BufferedImage draw() {
        System.setProperty("java.awt.headless", "true");
        int w = 900;
        int h = 360;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            int n = records.size();
            double[] x = new double[n];
            double[] loss = new double[n];
            double[] image = new double[n];
            double[] pixel = new double[n];
            for (int i = 0; i < n; i++) {
                EpochRecord r = records.get(i);
                x[i] = r.epoch() + (double) r.step() / Math.max(1, stepsOf(r.epoch()));
                loss[i] = r.meanLoss();
                image[i] = r.metrics().imageAuc();
                pixel[i] = r.metrics().pixelAuc();
            }
            panel(g, 10, 10, w / 2 - 20, h - 20, "mean training loss", x, new double[][] {loss},
                    new Color[] {new Color(200, 60, 40)}, new String[] {"loss"}, false);
            panel(g, w / 2 + 10, 10, w / 2 - 20, h - 20, "AUC", x, new double[][] {image, pixel},
                    new Color[] {new Color(40, 90, 200), new Color(40, 160, 80)},
                    new String[] {"image AUC", "pixel AUC"}, true);
        } finally {
            g.dispose();
        }
        return img;
    }

    private int stepsOf(int epoch) {
        int max = 0;
        for (EpochRecord r : records) {
            if (r.epoch() == epoch) {
                max = Math.max(max, r.step());
            }
        }
        return max;
    }

    private static void panel(Graphics2D g, int x0, int y0, int pw, int ph, String title, double[] x, double[][] ys,
            Color[] colors, String[] names, boolean unit) {
        int left = x0 + 50;
        int right = x0 + pw - 10;
        int top = y0 + 25;
        int bottom = y0 + ph - 30;
        g.setColor(Color.BLACK);
        g.drawString(title, x0 + 50, y0 + 15);
        g.drawRect(left, top, right - left, bottom - top);
        double xmin = Double.POSITIVE_INFINITY;
        double xmax = Double.NEGATIVE_INFINITY;
        double ymin = unit ? 0 : Double.POSITIVE_INFINITY;
        double ymax = unit ? 1 : Double.NEGATIVE_INFINITY;
        for (int i = 0; i < x.length; i++) {
            xmin = Math.min(xmin, x[i]);
            xmax = Math.max(xmax, x[i]);
            for (double[] y : ys) {
                if (Double.isFinite(y[i]) && !unit) {
                    ymin = Math.min(ymin, y[i]);
                    ymax = Math.max(ymax, y[i]);
                }
            }
        }
        if (!(xmax > xmin)) {
            xmin -= 0.5;
            xmax += 0.5;
        }
        if (!(ymax > ymin)) {
            ymin = Double.isFinite(ymin) ? ymin - 0.5 : 0;
            ymax = ymin + 1;
        }
        g.drawString(String.format(Locale.ROOT, "%.3g", ymax), x0, top + 5);
        g.drawString(String.format(Locale.ROOT, "%.3g", ymin), x0, bottom);
        g.drawString(String.format(Locale.ROOT, "epoch %.0f", xmin), left, bottom + 15);
        g.drawString(String.format(Locale.ROOT, "epoch %.0f", xmax), right - 60, bottom + 15);
        g.setStroke(new BasicStroke(2f));
        for (int k = 0; k < ys.length; k++) {
            g.setColor(colors[k]);
            g.drawString(names[k], right - 80, top + 15 + 14 * k);
            int px = -1;
            int py = -1;
            for (int i = 0; i < x.length; i++) {
                double v = ys[k][i];
                if (!Double.isFinite(v)) {
                    px = -1;
                    continue;
                }
                int cx = (int) Math.round(left + (x[i] - xmin) / (xmax - xmin) * (right - left));
                int cy = (int) Math.round(bottom - (v - ymin) / (ymax - ymin) * (bottom - top));
                g.fillOval(cx - 2, cy - 2, 5, 5);
                if (px >= 0) {
                    g.drawLine(px, py, cx, cy);
                }
                px = cx;
                py = cy;
            }
        }
    }
}
