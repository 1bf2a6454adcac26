package org.mvfaedge.trainer.ablation;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * The few drawing operations the charts need, so that one drawing code gives both an SVG (for pages and
 * papers) and a PNG (for a quick look) of the same picture.
 */
interface Canvas {
    void rect(double x, double y, double w, double h, Color fill);

    void line(double x1, double y1, double x2, double y2, Color stroke, double width, boolean dashed);

    void polyline(double[] xs, double[] ys, Color stroke, double width, boolean dashed);

    /** Text with its baseline at y; anchor 0 left, 0.5 middle, 1 right. */
    void text(double x, double y, String text, double size, Color color, double anchor);

    /** SVG: an {@code <svg>} document built in a string. */
    final class Svg implements Canvas {
        private final StringBuilder b = new StringBuilder();
        private final int width;
        private final int height;

        Svg(int width, int height) {
            this.width = width;
            this.height = height;
        }

        private static String c(Color c) {
            return String.format(Locale.ROOT, "#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
        }

        private static String n(double v) {
            return String.format(Locale.ROOT, "%.1f", v);
        }

        @Override
        public void rect(double x, double y, double w, double h, Color fill) {
            b.append("<rect x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" width=\"").append(n(w))
                    .append("\" height=\"").append(n(h)).append("\" fill=\"").append(c(fill)).append("\"/>\n");
        }

        @Override
        public void line(double x1, double y1, double x2, double y2, Color stroke, double width, boolean dashed) {
            b.append("<line x1=\"").append(n(x1)).append("\" y1=\"").append(n(y1)).append("\" x2=\"").append(n(x2))
                    .append("\" y2=\"").append(n(y2)).append("\" stroke=\"").append(c(stroke)).append("\" stroke-width=\"")
                    .append(n(width)).append(dashed ? "\" stroke-dasharray=\"6 4" : "").append("\"/>\n");
        }

        @Override
        public void polyline(double[] xs, double[] ys, Color stroke, double width, boolean dashed) {
            b.append("<polyline fill=\"none\" stroke=\"").append(c(stroke)).append("\" stroke-width=\"").append(n(width))
                    .append(dashed ? "\" stroke-dasharray=\"6 4" : "").append("\" points=\"");
            for (int i = 0; i < xs.length; i++) {
                b.append(i == 0 ? "" : " ").append(n(xs[i])).append(',').append(n(ys[i]));
            }
            b.append("\"/>\n");
        }

        @Override
        public void text(double x, double y, String text, double size, Color color, double anchor) {
            String a = anchor <= 0 ? "start" : anchor >= 1 ? "end" : "middle";
            b.append("<text x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" font-family=\"sans-serif\"")
                    .append(" font-size=\"").append(n(size)).append("\" fill=\"").append(c(color))
                    .append("\" text-anchor=\"").append(a).append("\">").append(escape(text)).append("</text>\n");
        }

        static String escape(String s) {
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
        }

        String document() {
            return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width
                    + "\" height=\"" + height + "\" viewBox=\"0 0 " + width + " " + height + "\">\n"
                    + "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n" + b + "</svg>\n";
        }
    }

    /** PNG: Java2D on an RGB image. */
    final class Png implements Canvas {
        private final BufferedImage image;
        private final Graphics2D g;

        Png(int width, int height) {
            System.setProperty("java.awt.headless", "true");
            image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            g = image.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
        }

        private static BasicStroke stroke(double width, boolean dashed) {
            return dashed ? new BasicStroke((float) width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                    new float[] {6f, 4f}, 0f) : new BasicStroke((float) width);
        }

        @Override
        public void rect(double x, double y, double w, double h, Color fill) {
            g.setColor(fill);
            g.fill(new java.awt.geom.Rectangle2D.Double(x, y, w, h));
        }

        @Override
        public void line(double x1, double y1, double x2, double y2, Color stroke, double width, boolean dashed) {
            g.setColor(stroke);
            g.setStroke(stroke(width, dashed));
            g.draw(new java.awt.geom.Line2D.Double(x1, y1, x2, y2));
        }

        @Override
        public void polyline(double[] xs, double[] ys, Color stroke, double width, boolean dashed) {
            g.setColor(stroke);
            g.setStroke(stroke(width, dashed));
            java.awt.geom.Path2D.Double p = new java.awt.geom.Path2D.Double();
            for (int i = 0; i < xs.length; i++) {
                if (i == 0) {
                    p.moveTo(xs[i], ys[i]);
                } else {
                    p.lineTo(xs[i], ys[i]);
                }
            }
            g.draw(p);
        }

        @Override
        public void text(double x, double y, String text, double size, Color color, double anchor) {
            g.setColor(color);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, (int) Math.round(size)));
            int w = g.getFontMetrics().stringWidth(text);
            g.drawString(text, (float) (x - anchor * w), (float) y);
        }

        BufferedImage done() {
            g.dispose();
            return image;
        }
    }
}
