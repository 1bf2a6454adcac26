package org.mvfaedge.sdk.detect;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import org.mvfaedge.sdk.Detection;
import org.mvfaedge.sdk.Region;
import org.mvfaedge.sdk.Timings;

/**
 * The one JSON shape of a {@link Detection}, written by the SDK's {@link Detection#toJson()}, the edge
 * command line ({@code predict --json}) and the HTTP answer of {@code POST /v1/detect}. Names are
 * snake_case, as everywhere in the product's JSON (manifest, evaluation output, HTTP):
 *
 * <pre>{@code
 * {"score": 0.71, "decision": "anomalous", "anomalous": true, "threshold": 0.52, "width": 512, "height": 512,
 *  "raw": {"zero_score": 1.93, "few_score": 0.41},
 *  "regions": [{"x": 120, "y": 88, "width": 40, "height": 31, "area": 912, "peak": 0.93,
 *               "peak_x": 139, "peak_y": 101, "mean": 0.64}],
 *  "timings_ms": {"decode": 3.1, "preprocess": 2.0, "inference": 41.7, "postprocess": 4.2, "total": 51.0}}
 * }</pre>
 *
 * {@code raw.few_score} is null for a zero-shot package. Callers add their own fields around these (the
 * command line its {@code file}, the server its {@code request_id}, {@code model}, {@code map},
 * {@code overlay} and the queue time) by writing into the same object. Written with a streaming
 * generator, so a caller can follow with a large map without building a tree of it.
 */
public final class DetectionJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private DetectionJson() {
    }

    /** The detection as one JSON object (one line). */
    public static String toJson(Detection d) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.writeStartObject();
            writeFields(g, d);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return w.toString();
    }

    /** Writes the detection's fields into the object {@code g} is in; {@code timings_ms.total} is the SDK's. */
    public static void writeFields(JsonGenerator g, Detection d) throws IOException {
        writeFields(g, d, null, d.timings().totalMs());
    }

    /**
     * Writes the detection's fields into the object {@code g} is in.
     *
     * @param queueMs time spent waiting before the detection ran ({@code timings_ms.queue}), or null to leave it out
     * @param totalMs {@code timings_ms.total}: the caller's end-to-end time (the SDK's is the sum of the four stages)
     */
    public static void writeFields(JsonGenerator g, Detection d, Double queueMs, double totalMs) throws IOException {
        g.writeNumberField("score", d.score());
        g.writeStringField("decision", d.anomalous() ? "anomalous" : "normal");
        g.writeBooleanField("anomalous", d.anomalous());
        g.writeNumberField("threshold", d.threshold());
        g.writeNumberField("width", d.width());
        g.writeNumberField("height", d.height());
        g.writeObjectFieldStart("raw");
        g.writeNumberField("zero_score", d.rawZeroScore());
        if (d.rawFewScore() != null) {
            g.writeNumberField("few_score", d.rawFewScore());
        } else {
            g.writeNullField("few_score");
        }
        g.writeEndObject();
        g.writeArrayFieldStart("regions");
        for (Region r : d.regions()) {
            g.writeStartObject();
            g.writeNumberField("x", r.x());
            g.writeNumberField("y", r.y());
            g.writeNumberField("width", r.width());
            g.writeNumberField("height", r.height());
            g.writeNumberField("area", r.area());
            g.writeNumberField("peak", r.peak());
            g.writeNumberField("peak_x", r.peakX());
            g.writeNumberField("peak_y", r.peakY());
            g.writeNumberField("mean", r.mean());
            g.writeEndObject();
        }
        g.writeEndArray();
        Timings t = d.timings();
        g.writeObjectFieldStart("timings_ms");
        g.writeNumberField("decode", t.decodeMs());
        g.writeNumberField("preprocess", t.preprocessMs());
        g.writeNumberField("inference", t.inferenceMs());
        g.writeNumberField("postprocess", t.postprocessMs());
        if (queueMs != null) {
            g.writeNumberField("queue", queueMs);
        }
        g.writeNumberField("total", totalMs);
        g.writeEndObject();
    }

    /** Writes {@code values} as a JSON array of numbers (a map, row-major) without boxing them. */
    public static void writeFloats(JsonGenerator g, float[] values) throws IOException {
        g.writeStartArray(values, values.length);
        for (float v : values) {
            g.writeNumber(v);
        }
        g.writeEndArray();
    }
}
