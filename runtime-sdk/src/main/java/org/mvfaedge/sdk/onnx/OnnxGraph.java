package org.mvfaedge.sdk.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds one ONNX graph in the default domain at {@link #OPSET}: graph inputs and outputs with
 * symbolic or fixed dimensions, initializers from Java arrays, and nodes whose single output gets a
 * fresh name. Every value name is checked for uniqueness, and the operator types used are recorded
 * so that exporters can state (and tests can check) which operators a target runtime must support.
 */
public final class OnnxGraph {
    /** Opset of the default domain: the first with LayerNormalization. */
    public static final int OPSET = 17;
    /** IR version 8 goes with opset 17 (onnx 1.12); ONNX Runtime 1.23 and the onnx checker accept it. */
    public static final int IR_VERSION = 8;

    private final String name;
    private final List<ValueInfoProto> inputs = new ArrayList<>();
    private final List<ValueInfoProto> outputs = new ArrayList<>();
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final List<NodeProto.Builder> nodes = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Set<String> opTypes = new TreeSet<>();
    /** Small constants by value, so that repeated shapes and scalars are stored once. */
    private final Map<String, String> constants = new LinkedHashMap<>();
    private int counter;

    public OnnxGraph(String name) {
        this.name = name;
    }

    /**
     * Declares a graph input. Each dimension is a {@link Number} (fixed) or a {@link String}
     * (symbolic, such as the batch dimension {@code "N"}).
     */
    public String input(String valueName, DataType type, Object... dims) {
        claim(valueName);
        inputs.add(valueInfo(valueName, type, dims));
        return valueName;
    }

    /** Declares an existing value as a graph output, with its type and shape (see {@link #input}). */
    public void output(String valueName, DataType type, Object... dims) {
        if (!names.contains(valueName)) {
            throw new OnnxFormatException("graph output '" + valueName + "' is not a value of graph '" + name + "'");
        }
        outputs.add(valueInfo(valueName, type, dims));
    }

    /** Adds a float32 initializer under the given name and returns the name. */
    public String initializer(String valueName, long[] dims, float[] data) {
        return initializer(OnnxTensors.floats(valueName, dims, data));
    }

    /** Adds a prepared initializer; its name must be new to the graph. */
    public String initializer(TensorProto tensor) {
        claim(tensor.getName());
        initializers.put(tensor.getName(), tensor);
        return tensor.getName();
    }

    /** A 1-D int64 constant (shapes, axes, slice bounds), shared between nodes that use the same values. */
    public String int64s(long... values) {
        String key = Arrays.toString(values);
        String existing = constants.get(key);
        if (existing != null) {
            return existing;
        }
        String n = fresh("const_i64");
        initializer(OnnxTensors.int64s(n, new long[] {values.length}, values));
        constants.put(key, n);
        return n;
    }

    /** A 0-D int64 constant (a Gather index that removes the axis). */
    public String int64Scalar(long value) {
        String key = "scalar " + value;
        String existing = constants.get(key);
        if (existing != null) {
            return existing;
        }
        String n = fresh("const_i64");
        initializer(OnnxTensors.int64s(n, new long[0], new long[] {value}));
        constants.put(key, n);
        return n;
    }

    /** A 0-D float32 constant, broadcast by elementwise operators; shared between uses of the same value. */
    public String floatScalar(float value) {
        String key = "f32 " + Float.floatToRawIntBits(value);
        String existing = constants.get(key);
        if (existing != null) {
            return existing;
        }
        String n = fresh("const_f32");
        initializer(n, new long[0], new float[] {value});
        constants.put(key, n);
        return n;
    }

    /** A node with one output, which gets a fresh name derived from the operator type. */
    public String op(String opType, List<String> nodeInputs, AttributeProto... attributes) {
        String out = fresh(opType.toLowerCase());
        node(opType, nodeInputs, List.of(out), attributes);
        return out;
    }

    /** A node without attributes and one output. */
    public String op(String opType, String... nodeInputs) {
        return op(opType, List.of(nodeInputs));
    }

    /** A node with the given outputs; an empty input name marks an omitted optional input. */
    public void node(String opType, List<String> nodeInputs, List<String> nodeOutputs, AttributeProto... attributes) {
        for (String in : nodeInputs) {
            if (!in.isEmpty() && !names.contains(in)) {
                throw new OnnxFormatException(opType + " node reads '" + in + "', which no earlier node, input or "
                        + "initializer of graph '" + name + "' defines");
            }
        }
        for (String out : nodeOutputs) {
            claim(out);
        }
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(opType).setName(opType + "_" + nodes.size())
                .addAllInput(nodeInputs).addAllOutput(nodeOutputs);
        for (AttributeProto a : attributes) {
            b.addAttribute(a);
        }
        nodes.add(b);
        opTypes.add(opType);
    }

    /**
     * Renames a node output (and every use of it), so that a value computed by whatever node came last
     * can become a graph output with a fixed name.
     */
    public String rename(String valueName, String newName) {
        if (initializers.containsKey(valueName) || inputs.stream().anyMatch(v -> v.getName().equals(valueName))) {
            throw new OnnxFormatException("'" + valueName + "' is an input or initializer, only node outputs can be renamed");
        }
        if (!names.contains(valueName)) {
            throw new OnnxFormatException("no value '" + valueName + "' to rename in graph '" + name + "'");
        }
        claim(newName);
        for (NodeProto.Builder b : nodes) {
            for (int i = 0; i < b.getInputCount(); i++) {
                if (b.getInput(i).equals(valueName)) {
                    b.setInput(i, newName);
                }
            }
            for (int i = 0; i < b.getOutputCount(); i++) {
                if (b.getOutput(i).equals(valueName)) {
                    b.setOutput(i, newName);
                }
            }
        }
        names.remove(valueName);
        return newName;
    }

    /** Operator types used so far, sorted. */
    public Set<String> opTypes() {
        return Collections.unmodifiableSet(opTypes);
    }

    /** Bytes of initializer data held so far. */
    public long initializerBytes() {
        return initializers.values().stream().mapToLong(OnnxTensors::dataBytes).sum();
    }

    /** The graph as a model: IR {@link #IR_VERSION}, opset {@link #OPSET}, with the given metadata. */
    public ModelProto toModel(String producerName, String producerVersion, Map<String, String> metadata) {
        if (outputs.isEmpty()) {
            throw new OnnxFormatException("graph '" + name + "' declares no outputs");
        }
        GraphProto.Builder g = GraphProto.newBuilder().setName(name).addAllInput(inputs).addAllOutput(outputs)
                .addAllInitializer(initializers.values());
        for (NodeProto.Builder b : nodes) {
            g.addNode(b.build());
        }
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName(producerName)
                .setProducerVersion(producerVersion)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(g);
        metadata.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }

    private static ValueInfoProto valueInfo(String valueName, DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            if (d instanceof Number n) {
                shape.addDimBuilder().setDimValue(n.longValue());
            } else if (d instanceof String s) {
                shape.addDimBuilder().setDimParam(s);
            } else {
                throw new IllegalArgumentException("dimension of '" + valueName + "' must be a number or a "
                        + "symbolic name, got " + d);
            }
        }
        TypeProto.Builder t = TypeProto.newBuilder();
        t.getTensorTypeBuilder().setElemType(type.getNumber()).setShape(shape);
        return ValueInfoProto.newBuilder().setName(valueName).setType(t).build();
    }

    private String fresh(String prefix) {
        String n;
        do {
            n = prefix + "_" + counter++;
        } while (names.contains(n));
        return n;
    }

    private void claim(String valueName) {
        if (valueName == null || valueName.isEmpty()) {
            throw new OnnxFormatException("value names must not be empty in graph '" + name + "'");
        }
        if (!names.add(valueName)) {
            throw new OnnxFormatException("value name '" + valueName + "' is used twice in graph '" + name + "'");
        }
    }
}
