package org.mvfaedge.trainer.export;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.mvfaedge.sdk.onnx.OnnxAttributes;
import org.mvfaedge.sdk.onnx.OnnxFormatException;
import org.mvfaedge.sdk.util.Float16;

/**
 * Replaces every LayerNormalization node by the basic operators it is defined as, for TensorRT
 * before 8.6 (JetPack 5), whose ONNX parser lacks the operator:
 * <pre>
 *   mean = ReduceMean(x, axes=[-1]);  d = x - mean
 *   var  = ReduceMean(d * d, axes=[-1])
 *   y    = d / Sqrt(var + epsilon) * scale + bias
 * </pre>
 * This is the two-pass form of ONNX's definition (and PyTorch's), not E[x^2] - E[x]^2, which cancels
 * badly when the mean is large against the spread. The node runs in its input's type: after
 * {@link HalfPrecisionGraph} that is float32, so an fp16 graph keeps its layer norms in float32.
 * Apply it after the precision conversion, which recognises LayerNormalization nodes by type.
 */
public final class LayerNormDecomposition {
    /** Metadata key recording the style ({@link LayerNormStyle#id()}); absent means fused. */
    public static final String STYLE_KEY = "mvfa.layernorm";

    private LayerNormDecomposition() {
    }

    /**
     * The model with each LayerNormalization (normalising the last axis) decomposed; other nodes and
     * all value names are kept, so the outputs and the initializers enrollment edits are unchanged.
     *
     * @throws OnnxFormatException for a LayerNormalization over other axes, with a second output, or
     *     whose scale is neither float32 nor float16
     */
    public static ModelProto apply(ModelProto model) {
        GraphProto g = model.getGraph();
        Set<String> taken = new HashSet<>();
        Map<String, TensorProto> inits = new HashMap<>();
        g.getInputList().forEach(v -> taken.add(v.getName()));
        g.getInitializerList().forEach(t -> {
            taken.add(t.getName());
            inits.put(t.getName(), t);
        });
        g.getNodeList().forEach(n -> taken.addAll(n.getOutputList()));
        Fresh fresh = new Fresh(taken);

        List<NodeProto> nodes = new ArrayList<>();
        List<TensorProto> added = new ArrayList<>();
        Map<String, String> epsByKey = new HashMap<>();
        int count = 0;
        for (NodeProto n : g.getNodeList()) {
            if (!n.getOpType().equals("LayerNormalization")) {
                nodes.add(n);
                continue;
            }
            long axis = -1;
            float eps = 1e-5f;
            for (AttributeProto a : n.getAttributeList()) {
                switch (a.getName()) {
                    case "axis" -> axis = a.getI();
                    case "epsilon" -> eps = a.getF();
                    case "stash_type" -> {
                        // Both forms compute in the input's type here (float32 in every graph this project writes).
                    }
                    default -> throw new OnnxFormatException("LayerNormalization " + n.getName() + " has attribute '"
                            + a.getName() + "', which the decomposition does not know");
                }
            }
            if (axis != -1 || n.getOutputCount() != 1 || n.getInputCount() != 3) {
                throw new OnnxFormatException("LayerNormalization " + n.getName() + " normalises axis " + axis + " with "
                        + n.getInputCount() + " inputs and " + n.getOutputCount() + " outputs; only the last axis with "
                        + "scale and bias and one output (what OnnxModelWriter writes) can be decomposed");
            }
            TensorProto scale = inits.get(n.getInput(1));
            int type = scale == null ? DataType.FLOAT.getNumber() : scale.getDataType();
            if (type != DataType.FLOAT.getNumber() && type != DataType.FLOAT16.getNumber()) {
                throw new OnnxFormatException("LayerNormalization " + n.getName() + " has a scale of ONNX type " + type
                        + ": only float32 and float16 can be decomposed");
            }
            String epsName = epsByKey.get(type + "/" + Float.floatToRawIntBits(eps));
            if (epsName == null) {
                epsName = fresh.name("ln_epsilon");
                added.add(scalar(epsName, type, eps));
                epsByKey.put(type + "/" + Float.floatToRawIntBits(eps), epsName);
            }
            String x = n.getInput(0);
            String p = "ln" + count++ + "_";
            String mean = fresh.name(p + "mean");
            String d = fresh.name(p + "centred");
            String sq = fresh.name(p + "squared");
            String var = fresh.name(p + "variance");
            String varEps = fresh.name(p + "variance_eps");
            String std = fresh.name(p + "std");
            String norm = fresh.name(p + "normalised");
            String scaled = fresh.name(p + "scaled");
            nodes.add(node("ReduceMean", p + "ReduceMean_mean", List.of(x), mean, OnnxAttributes.i("keepdims", 1),
                    OnnxAttributes.ints("axes", -1)));
            nodes.add(node("Sub", p + "Sub", List.of(x, mean), d));
            nodes.add(node("Mul", p + "Mul_square", List.of(d, d), sq));
            nodes.add(node("ReduceMean", p + "ReduceMean_var", List.of(sq), var, OnnxAttributes.i("keepdims", 1),
                    OnnxAttributes.ints("axes", -1)));
            nodes.add(node("Add", p + "Add_eps", List.of(var, epsName), varEps));
            nodes.add(node("Sqrt", p + "Sqrt", List.of(varEps), std));
            nodes.add(node("Div", p + "Div", List.of(d, std), norm));
            nodes.add(node("Mul", p + "Mul_scale", List.of(norm, n.getInput(1)), scaled));
            nodes.add(node("Add", p + "Add_bias", List.of(scaled, n.getInput(2)), n.getOutput(0)));
        }
        if (count == 0) {
            return model;
        }
        GraphProto.Builder gb = g.toBuilder().clearNode().addAllNode(nodes).addAllInitializer(added);
        Set<String> ops = new TreeSet<>();
        nodes.forEach(n -> ops.add(n.getOpType()));
        ModelProto.Builder mb = model.toBuilder().setGraph(gb).clearMetadataProps();
        for (StringStringEntryProto e : model.getMetadataPropsList()) {
            if (e.getKey().equals("mvfa.op_types")) {
                mb.addMetadataProps(e.toBuilder().setValue(String.join(",", ops)));
            } else if (!e.getKey().equals(STYLE_KEY)) {
                mb.addMetadataProps(e);
            }
        }
        mb.addMetadataProps(StringStringEntryProto.newBuilder().setKey(STYLE_KEY).setValue(LayerNormStyle.DECOMPOSED.id()));
        return mb.build();
    }

    /**
     * The ReduceMean above uses the opset-17 form ({@code axes} an attribute); the graph's opset stays
     * 17, so that is what every consumer reads.
     */
    private static NodeProto node(String op, String name, List<String> inputs, String output, AttributeProto... attrs) {
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output);
        for (AttributeProto a : attrs) {
            b.addAttribute(a);
        }
        return b.build();
    }

    private static TensorProto scalar(String name, int type, float value) {
        byte[] raw;
        if (type == DataType.FLOAT16.getNumber()) {
            raw = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(Float16.fromFloat(value)).array();
        } else {
            raw = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).array();
        }
        return TensorProto.newBuilder().setName(name).setDataType(type).setRawData(ByteString.copyFrom(raw)).build();
    }

    /** Fresh value names that do not collide with the graph's. */
    private record Fresh(Set<String> taken) {
        String name(String base) {
            String n = base;
            for (int k = 1; taken.contains(n); k++) {
                n = base + "_" + k;
            }
            taken.add(n);
            return n;
        }
    }
}
