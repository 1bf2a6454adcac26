package org.mvfaedge.trainer.weights;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Named tensors in file order, as PyTorch's {@code state_dict} holds them, remembering the file they
 * came from so that every error can name it.
 */
public final class StateDict {
    private final Path source;
    private final Map<String, HostTensor> tensors;

    public StateDict(Path source, Map<String, HostTensor> tensors) {
        this.source = source;
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    public Path source() {
        return source;
    }

    public Set<String> names() {
        return tensors.keySet();
    }

    public Map<String, HostTensor> asMap() {
        return tensors;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public int size() {
        return tensors.size();
    }

    /** The tensor, or a {@link CheckpointException} naming the file and the missing tensor. */
    public HostTensor require(String name) {
        HostTensor t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException(source, "missing tensor '" + name + "'");
        }
        return t;
    }

    /** The tensor with its shape checked, or an error naming the file, tensor and both shapes. */
    public HostTensor require(String name, long... expectedShape) {
        HostTensor t = require(name);
        if (!Arrays.equals(t.shape(), expectedShape)) {
            throw new CheckpointException(source, "tensor '" + name + "' has shape "
                    + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(expectedShape));
        }
        return t;
    }

    /** Fails naming every missing tensor at once. */
    public void requireAll(List<String> names) {
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            if (!tensors.containsKey(n)) {
                missing.add(n);
            }
        }
        if (!missing.isEmpty()) {
            throw new CheckpointException(source, "missing " + missing.size() + " tensor(s): "
                    + String.join(", ", missing.subList(0, Math.min(10, missing.size())))
                    + (missing.size() > 10 ? ", ..." : ""));
        }
    }

    /** Tensors whose names start with the prefix, with the prefix removed. */
    public StateDict withPrefix(String prefix) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return new StateDict(source, out);
    }
}
