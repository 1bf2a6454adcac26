package org.mvfaedge.trainer.train;

import org.mvfaedge.sdk.util.AtomicFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mvfaedge.trainer.weights.AdapterCheckpoint;

/**
 * The files of a training run for one object, all in {@code dir} ({@code <save-path>/few-shot} or
 * {@code <save-path>/zero-shot}): the best checkpoint {@code <Object>.safetensors} and its sidecar
 * {@code <Object>.json}, the resumable state {@code <Object>.last.safetensors} and
 * {@code <Object>.last.json}, the log {@code <Object>.log.jsonl} and the chart {@code <Object>.png}.
 * Every file is written atomically.
 */
public final class RunFiles {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final String object;

    public RunFiles(Path dir, String object) {
        this.dir = dir;
        this.object = object;
    }

    public Path dir() {
        return dir;
    }

    public Path best() {
        return dir.resolve(object + ".safetensors");
    }

    public Path bestSidecar() {
        return dir.resolve(object + ".json");
    }

    public Path last() {
        return dir.resolve(object + ".last.safetensors");
    }

    public Path lastSidecar() {
        return dir.resolve(object + ".last.json");
    }

    public Path log() {
        return dir.resolve(object + ".log.jsonl");
    }

    public Path chart() {
        return dir.resolve(object + ".png");
    }

    /** Writes the best checkpoint (adapters, safetensors) and then its sidecar. */
    void writeBest(AdapterTraining training, Map<String, Object> runInfo, EpochRecord record) {
        writeBest(training, runInfo, record, Map.of());
    }

    /** As {@link #writeBest(AdapterTraining, Map, EpochRecord)}, with more metadata in the checkpoint. */
    void writeBest(AdapterTraining training, Map<String, Object> runInfo, EpochRecord record,
            Map<String, String> extraMeta) {
        Map<String, String> meta = new LinkedHashMap<>(extraMeta);
        meta.put("object", object);
        meta.put("epoch", Integer.toString(record.epoch()));
        meta.put("step", Integer.toString(record.step()));
        meta.put("criterion", Double.toString(record.metrics().criterion()));
        AdapterCheckpoint.write(best(), training.model().adapterWeights(), meta);
        writeSidecar(bestSidecar(), runInfo, record, "best");
    }

    /** Writes the resumable state and then its sidecar. */
    void writeLast(AdapterTraining training, Map<String, Object> runInfo, EpochRecord record,
            Map<String, String> stateMeta) {
        TrainingState.write(last(), training, stateMeta);
        writeSidecar(lastSidecar(), runInfo, record, "last");
    }

    void writeSidecar(Path file, Map<String, Object> runInfo, EpochRecord record, String kind) {
        ObjectNode n = JSON.createObjectNode();
        n.put("kind", kind);
        n.put("object", object);
        n.put("epoch", record.epoch());
        n.put("step", record.step());
        ObjectNode metrics = n.putObject("metrics");
        TrainingLog.putNum(metrics, "image_auc", record.metrics().imageAuc());
        TrainingLog.putNum(metrics, "pixel_auc", record.metrics().pixelAuc());
        TrainingLog.putNum(metrics, "criterion", record.metrics().criterion());
        TrainingLog.putNum(metrics, "mean_loss", record.meanLoss());
        n.put("written", Instant.now().toString());
        n.set("run", JSON.valueToTree(runInfo));
        try {
            AtomicFiles.write(file, JSON.writeValueAsBytes(n));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
