package org.mvfaedge.sdk.bank;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import org.mvfaedge.sdk.onnx.OnnxFormatException;

/**
 * How a package stores its memory bank. {@link #FP16} halves the bank's bytes on disk and in the
 * session: the initializer (same name, so enrollment still finds it) becomes float16 and a Cast to
 * float32 feeds the graph's nodes, so the cosine similarity is accumulated in float32 as before; only
 * the rows are rounded (relative error at most 2^-11 per value).
 */
public enum BankPrecision {
    FP32("fp32"),
    FP16("fp16");

    /** Suffix of the Cast node's output that replaces a float16 bank in the nodes that read it. */
    public static final String CAST_SUFFIX = "_as_float32";

    private final String id;

    BankPrecision(String id) {
        this.id = id;
    }

    /** {@code fp32} or {@code fp16}, as the command line and the manifest's {@code mode.bank_precision} name it. */
    public String id() {
        return id;
    }

    /** The precision named {@code fp32} or {@code fp16}. */
    public static BankPrecision of(String id) {
        for (BankPrecision p : values()) {
            if (p.id.equals(id.strip().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("bank precision must be fp32 or fp16, got '" + id + "'");
    }

    /**
     * The model with a Cast to float32 in front of every reader of the named banks, whose initializers
     * become empty float16 placeholders {@code [0, C]}: the caller replaces them with the float16 rows
     * ({@link BankTensors#tensor}) before the model is written. Banks that already pass through such a
     * Cast are left as they are.
     */
    public static ModelProto castFromFloat16(ModelProto model, Collection<String> banks) {
        GraphProto.Builder g = model.getGraph().toBuilder();
        Set<String> names = Set.copyOf(banks);
        int inserted = 0;
        for (String bank : names) {
            String cast = bank + CAST_SUFFIX;
            boolean already = g.getNodeList().stream().anyMatch(n -> n.getOutputList().contains(cast));
            if (already) {
                continue;
            }
            int readers = 0;
            for (int i = 0; i < g.getNodeCount(); i++) {
                NodeProto n = g.getNode(i);
                if (!n.getInputList().contains(bank)) {
                    continue;
                }
                NodeProto.Builder b = n.toBuilder();
                for (int k = 0; k < b.getInputCount(); k++) {
                    if (b.getInput(k).equals(bank)) {
                        b.setInput(k, cast);
                    }
                }
                g.setNode(i, b);
                readers++;
            }
            if (readers == 0) {
                throw new OnnxFormatException("no node reads the memory bank '" + bank + "'");
            }
            // At the front: nodes must be topologically sorted, and the Cast reads only an initializer.
            g.addNode(0, NodeProto.newBuilder().setOpType("Cast").setName("cast_" + bank).addInput(bank).addOutput(cast)
                    .addAttribute(AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT)
                            .setI(DataType.FLOAT.getNumber())));
            for (int i = 0; i < g.getInitializerCount(); i++) {
                ai.onnx.proto.OnnxMl.TensorProto t = g.getInitializer(i);
                if (t.getName().equals(bank)) {
                    g.setInitializer(i, ai.onnx.proto.OnnxMl.TensorProto.newBuilder().setName(bank)
                            .setDataType(DataType.FLOAT16.getNumber()).addDims(0).addDims(t.getDims(t.getDimsCount() - 1))
                            .setRawData(com.google.protobuf.ByteString.EMPTY).build());
                }
            }
            inserted++;
        }
        return inserted == 0 ? model : model.toBuilder().setGraph(g).build();
    }
}
