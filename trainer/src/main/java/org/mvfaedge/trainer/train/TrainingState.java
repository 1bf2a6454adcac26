package org.mvfaedge.trainer.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mvfaedge.trainer.weights.AdapterWeights;
import org.mvfaedge.trainer.weights.CheckpointException;
import org.mvfaedge.trainer.weights.HostTensor;
import org.mvfaedge.trainer.weights.Safetensors;
import org.mvfaedge.trainer.weights.StateDict;

/**
 * The resumable state of a run after an epoch, in one safetensors file written atomically: the
 * adapters (under their checkpoint names), both Adam optimizers' moments and step counts (under
 * {@code optim.}), and in the metadata the last completed epoch, the best criterion so far and its
 * epoch, and the run's identity (object, seed, ...) so that a resume can refuse a mismatched run.
 * The shuffling generator needs no state: each epoch's order is drawn from (seed, epoch).
 */
public final class TrainingState {
    public static final String FORMAT = "mvfa-training-state";
    static final String OPTIM = "optim.";

    /** What a state file holds. */
    public record Saved(AdapterWeights adapters, Map<String, HostTensor> optimizer, Map<String, String> metadata) {
        public int epoch() {
            return Integer.parseInt(metadata.get("epoch"));
        }

        public double bestCriterion() {
            return Double.parseDouble(metadata.getOrDefault("best_criterion", "0"));
        }

        public int bestEpoch() {
            return Integer.parseInt(metadata.getOrDefault("best_epoch", "-1"));
        }
    }

    private TrainingState() {
    }

    /** Writes the state; {@code metadata} must include {@code epoch}. */
    public static void write(Path file, AdapterTraining training, Map<String, String> metadata) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>(training.model().adapterWeights().toTensors());
        training.optimizerState().forEach((k, v) -> tensors.put(OPTIM + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.putAll(metadata);
        try {
            Safetensors.write(file, tensors, meta, Safetensors.FloatFormat.F32);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot write the training state: " + e.getMessage(), e);
        }
    }

    public static Saved read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, "no training state to resume from (it is written after each epoch)");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        Map<String, HostTensor> all = Safetensors.readWithMetadata(file, meta);
        if (!FORMAT.equals(meta.get("format")) || !meta.containsKey("epoch")) {
            throw new CheckpointException(file, "not a training state written by train-few/train-zero");
        }
        Map<String, HostTensor> seg = new LinkedHashMap<>();
        Map<String, HostTensor> det = new LinkedHashMap<>();
        Map<String, HostTensor> optim = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith("seg_adapters.")) {
                seg.put(k.substring("seg_adapters.".length()), v);
            } else if (k.startsWith("det_adapters.")) {
                det.put(k.substring("det_adapters.".length()), v);
            } else if (k.startsWith(OPTIM)) {
                optim.put(k.substring(OPTIM.length()), v);
            }
        });
        return new Saved(new AdapterWeights(new StateDict(file, seg), new StateDict(file, det)), optim, meta);
    }
}
