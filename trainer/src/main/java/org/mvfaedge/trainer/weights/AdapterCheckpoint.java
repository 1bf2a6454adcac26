package org.mvfaedge.trainer.weights;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads and writes MVFA adapter checkpoints. The reference saves {@code torch.save({'seg_adapters':
 * model.seg_adapters.state_dict(), 'det_adapters': model.det_adapters.state_dict()}, path)}; this
 * project writes the same tensors to safetensors as {@code seg_adapters.0.fc1.0.weight}, .... Either
 * file is accepted whatever its extension: the format is told from the content.
 */
public final class AdapterCheckpoint {
    /** Metadata key written with every checkpoint, so a CLIP file is never mistaken for adapters. */
    public static final String FORMAT_KEY = "format";
    public static final String FORMAT_VALUE = "mvfa-adapters";

    private AdapterCheckpoint() {
    }

    /** Reads a {@code .pth} (zip + pickle) or safetensors adapter checkpoint. */
    public static AdapterWeights read(Path file) {
        return read(file, null);
    }

    /** As {@link #read(Path)}, filling {@code metadataOut} (if not null) with safetensors metadata. */
    public static AdapterWeights read(Path file, Map<String, String> metadataOut) {
        StateDict all = switch (CheckpointFormat.detect(file)) {
            case TORCH_ZIP, TORCH_LEGACY -> TorchCheckpoint.read(file);
            case SAFETENSORS -> new StateDict(file, Safetensors.readWithMetadata(file, metadataOut));
            default -> throw new CheckpointException(file, "not an MVFA adapter checkpoint: neither a PyTorch .pth"
                    + " (zip) nor safetensors");
        };
        StateDict seg = all.withPrefix("seg_adapters.");
        StateDict det = all.withPrefix("det_adapters.");
        if (seg.size() == 0 || det.size() == 0) {
            TreeSet<String> tops = new TreeSet<>();
            all.names().forEach(n -> tops.add(n.contains(".") ? n.substring(0, n.indexOf('.')) : n));
            throw new CheckpointException(file, "not an MVFA adapter checkpoint: expected 'seg_adapters' and"
                    + " 'det_adapters', found " + (tops.isEmpty() ? "no tensors" : String.join(", ",
                            tops.size() > 8 ? new java.util.ArrayList<>(tops).subList(0, 8) : tops)));
        }
        if (seg.size() + det.size() != all.size()) {
            TreeSet<String> extra = new TreeSet<>(all.names());
            extra.removeIf(n -> n.startsWith("seg_adapters.") || n.startsWith("det_adapters."));
            throw new CheckpointException(file, "unexpected tensors beside the adapters: " + extra);
        }
        return new AdapterWeights(seg, det);
    }

    /**
     * Writes the adapters as float32 safetensors, atomically (temporary file, then move), with the
     * given metadata plus {@code format=mvfa-adapters}.
     */
    public static void write(Path file, AdapterWeights weights, Map<String, String> metadata) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FORMAT_KEY, FORMAT_VALUE);
        if (metadata != null) {
            meta.putAll(metadata);
        }
        try {
            Safetensors.write(file, weights.toTensors(), meta, Safetensors.FloatFormat.F32);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot write the adapter checkpoint: " + e.getMessage(), e);
        }
    }
}
