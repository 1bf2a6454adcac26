package org.mvfaedge.trainer.ablation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The ablation's results for one object and protocol, as the paper prints them, as CSV and as JSON. */
public record AblationTable(String object, String protocol, List<AblationRow> rows, Map<String, Object> settings) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The paper's layout (Table 5): per level set, image AUC and pixel AUC in percent. */
    public String text() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s, %s: adapters at each level set (AUC %%)%n", object, protocol));
        b.append(String.format(Locale.ROOT, "%-16s %-8s %10s %10s %6s%n", "levels", "branches", "image AUC", "pixel AUC",
                "epoch"));
        for (AblationRow r : rows) {
            b.append(String.format(Locale.ROOT, "%-16s %-8s %10s %10s %6s%n", r.levels().label(), r.branches(),
                    pct(r.imageAuc()), r.pixelAuc() == null ? "-" : pct(r.pixelAuc()),
                    r.bestEpoch() == null ? "-" : r.bestEpoch().toString()));
        }
        return b.toString();
    }

    private static String pct(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", 100 * v) : "n/a";
    }

    /** One row per level set and branch choice; AUCs as fractions; empty cells where there is no value. */
    public String csv() {
        StringBuilder b = new StringBuilder("object,protocol,levels,branches,image_auc,pixel_auc,best_epoch,train_seconds,"
                + "test_seconds\n");
        for (AblationRow r : rows) {
            b.append(object).append(',').append(protocol).append(",\"").append(r.levels().label()).append("\",")
                    .append(r.branches()).append(',').append(Double.isFinite(r.imageAuc()) ? r.imageAuc() : "")
                    .append(',').append(r.pixelAuc() == null ? "" : r.pixelAuc()).append(',')
                    .append(r.bestEpoch() == null ? "" : r.bestEpoch()).append(',')
                    .append(String.format(Locale.ROOT, "%.1f,%.1f", r.trainSeconds(), r.testSeconds())).append('\n');
        }
        return b.toString();
    }

    public String json() {
        ObjectNode n = JSON.createObjectNode();
        n.put("object", object);
        n.put("protocol", protocol);
        n.set("settings", JSON.valueToTree(settings));
        ArrayNode a = n.putArray("rows");
        for (AblationRow r : rows) {
            ObjectNode o = a.addObject();
            o.put("levels", r.levels().label());
            ArrayNode l = o.putArray("level_list");
            r.levels().levels().forEach(l::add);
            o.put("branches", r.branches());
            if (Double.isFinite(r.imageAuc())) {
                o.put("image_auc", r.imageAuc());
            } else {
                o.putNull("image_auc");
            }
            if (r.pixelAuc() == null) {
                o.putNull("pixel_auc");
            } else {
                o.put("pixel_auc", r.pixelAuc());
            }
            if (r.bestEpoch() == null) {
                o.putNull("best_epoch");
            } else {
                o.put("best_epoch", r.bestEpoch());
            }
            o.put("train_seconds", r.trainSeconds());
            o.put("test_seconds", r.testSeconds());
        }
        try {
            return JSON.writeValueAsString(n) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
