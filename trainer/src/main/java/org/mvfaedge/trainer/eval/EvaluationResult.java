package org.mvfaedge.trainer.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The outcome of the paper's evaluation of one object: AUCs and the per-image scores exactly as the
 * reference feeds them to {@code roc_auc_score} (after its set-level normalisation).
 *
 * @param object object name
 * @param protocol {@code few-shot} or {@code zero-shot}
 * @param imageAuc image-level ROC AUC
 * @param pixelAuc pixel-level ROC AUC, or {@code null} for objects with image labels only
 * @param images file names in evaluation order (good sorted, then Ungood sorted)
 * @param imageLabels 0 normal, 1 anomalous
 * @param imageScores normalised image scores
 */
public record EvaluationResult(String object, String protocol, double imageAuc, Double pixelAuc, List<String> images,
        int[] imageLabels, float[] imageScores) {

    /**
     * The reference's model-selection criterion: pixel AUC + image AUC for objects with masks, image
     * AUC otherwise (what train_few.py's {@code test()} returns).
     */
    public double criterion() {
        return pixelAuc == null ? imageAuc : pixelAuc + imageAuc;
    }

    /** One JSON object, as {@code --json} prints it. */
    public ObjectNode toJson(ObjectMapper json) {
        ObjectNode o = json.createObjectNode();
        o.put("object", object);
        o.put("protocol", protocol);
        o.put("image_auc", imageAuc);
        if (pixelAuc == null) {
            o.putNull("pixel_auc");
        } else {
            o.put("pixel_auc", pixelAuc);
        }
        ArrayNode names = o.putArray("images");
        images.forEach(names::add);
        ArrayNode labels = o.putArray("image_labels");
        for (int l : imageLabels) {
            labels.add(l);
        }
        ArrayNode scores = o.putArray("image_scores");
        for (float s : imageScores) {
            scores.add(s);
        }
        return o;
    }

    /** A line for people: the paper's table format (AUC in percent). */
    public String summary() {
        return String.format("%s %s: image AUC %.2f%s", object, protocol, 100 * imageAuc,
                pixelAuc == null ? "" : String.format(", pixel AUC %.2f", 100 * pixelAuc));
    }
}
