package org.mvfaedge.trainer.weights;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A CLIP checkpoint checked against its architecture: the tensors (OpenAI names, float32 on the
 * heap) and the config inferred from them.
 *
 * @param source the file read
 * @param config the architecture, inferred from tensor shapes
 * @param tensors every tensor of the file
 */
public record ClipWeights(Path source, ClipConfig config, StateDict tensors) {

    /**
     * Reads a CLIP checkpoint in any supported format (TorchScript or {@code torch.save} zip, or
     * safetensors: told from the content), infers its config and checks that every tensor the model
     * needs is present with the right shape.
     */
    public static ClipWeights load(Path file) {
        StateDict sd = switch (CheckpointFormat.detect(file)) {
            case TORCH_ZIP, TORCH_LEGACY -> TorchCheckpoint.read(file);
            case SAFETENSORS -> Safetensors.read(file);
            default -> throw new CheckpointException(file, "not a CLIP checkpoint: neither a PyTorch zip checkpoint"
                    + " (.pt) nor safetensors");
        };
        ClipConfig config = ClipConfig.fromStateDict(sd);
        check(sd, config);
        return new ClipWeights(file, config, sd);
    }

    /** As {@link #load(Path)}, and refuses a file whose architecture differs from {@code expected}. */
    public static ClipWeights load(Path file, ClipConfig expected) {
        ClipWeights w = load(file);
        if (!w.config.equals(expected)) {
            throw new CheckpointException(file, "the weights are a " + w.config + ", not the requested " + expected);
        }
        return w;
    }

    /** Fails naming every missing or wrongly shaped tensor (up to ten of each). */
    static void check(StateDict sd, ClipConfig config) {
        List<String> missing = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, long[]> e : ClipLayout.shapes(config).entrySet()) {
            HostTensor t = sd.asMap().get(e.getKey());
            if (t == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(t.shape(), e.getValue()) && !bothScalars(t.shape(), e.getValue())) {
                wrong.add(e.getKey() + " is " + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(e.getValue()));
            }
        }
        if (missing.isEmpty() && wrong.isEmpty()) {
            return;
        }
        StringBuilder msg = new StringBuilder("incomplete or inconsistent CLIP checkpoint for " + config + ":");
        if (!missing.isEmpty()) {
            msg.append(" missing ").append(missing.size()).append(" tensor(s): ").append(first10(missing));
        }
        if (!wrong.isEmpty()) {
            msg.append(missing.isEmpty() ? "" : ";").append(" wrong shapes: ").append(first10(wrong));
        }
        throw new CheckpointException(sd.source(), msg.toString());
    }

    /** A one-element tensor stored as [] or [1] (both occur for logit_scale) is the same scalar. */
    private static boolean bothScalars(long[] a, long[] b) {
        return HostTensor.numel(a) == 1 && HostTensor.numel(b) == 1 && a.length <= 1 && b.length <= 1;
    }

    private static String first10(List<String> items) {
        return String.join(", ", items.subList(0, Math.min(10, items.size()))) + (items.size() > 10 ? ", ..." : "");
    }

    /** A tensor's float32 values (OpenAI name), or an error naming the file. */
    public float[] floats(String name) {
        return tensors.require(name).floats();
    }
}
