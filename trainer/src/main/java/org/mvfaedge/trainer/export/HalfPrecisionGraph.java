package org.mvfaedge.trainer.export;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.mvfaedge.sdk.onnx.OnnxAttributes;
import org.mvfaedge.sdk.onnx.OnnxFormatException;
import org.mvfaedge.sdk.util.Float16;

/**
 * Rewrites an fp32 MVFA graph from {@link OnnxModelWriter} into its half-precision variant for GPUs.
 * <ul>
 * <li>The vision tower (every node the adapter tokens depend on) computes in float16, with its weights
 *     stored as float16, except the operators of {@link #FP32_OPS}: LayerNormalization's mean and
 *     variance and Softmax's exponent sums lose too much in float16, so they run in float32 between
 *     Casts.</li>
 * <li>The anomaly heads (every node after the adapter tokens: L2 norms, text logits, the memory bank
 *     Gemm, 1 - max cosine, Resize, means) stay float32. A token's squared norm can exceed float16's
 *     range, 1 - cos of nearly parallel vectors is where float16 rounding matters most, and the memory
 *     bank and text features stay float32 initializers, so enrollment edits them as before.</li>
 * <li>The interface is unchanged: {@code image} stays a float32 input (cast inside the graph) and
 *     every output is float32 (cast at the end).</li>
 * </ul>
 * The adapter tokens are found as the outputs of the LeakyRelu nodes (the adapters' bottleneck
 * activations, the only LeakyRelu in an MVFA graph); the tower is them and everything upstream.
 */
public final class HalfPrecisionGraph {
    /** Operators kept in float32 inside the float16 tower. */
    public static final Set<String> FP32_OPS = Set.of("LayerNormalization", "Softmax");
    /** Metadata key recording the precision; {@link OnnxModelWriter} graphs are fp32 without it. */
    public static final String PRECISION_KEY = "mvfa.precision";
    /** Metadata key listing what stays in float32. */
    public static final String FP32_PARTS_KEY = "mvfa.fp32_parts";

    private static final int F32 = DataType.FLOAT.getNumber();
    private static final int F16 = DataType.FLOAT16.getNumber();
    private static final int I64 = DataType.INT64.getNumber();
    /** The largest finite float16; larger weights would become infinite. */
    private static final float F16_MAX = 65504f;

    private HalfPrecisionGraph() {
    }

    /**
     * The half-precision variant of an fp32 MVFA model (initializers inline, as
     * {@link OnnxModelWriter#model} returns them).
     *
     * @throws OnnxFormatException if the model is not an fp32 MVFA graph, keeps data externally, or
     *     has a weight outside float16's range
     */
    public static ModelProto convert(ModelProto fp32) {
        return new Converter(fp32.getGraph()).run(fp32);
    }

    /** The precision recorded in a model's metadata: fp16 after {@link #convert}, else fp32. */
    public static Precision precisionOf(ModelProto model) {
        return model.getMetadataPropsList().stream().filter(p -> p.getKey().equals(PRECISION_KEY)).findFirst()
                .map(p -> Precision.parse(p.getValue())).orElse(Precision.FP32);
    }

    private static final class Converter {
        private final GraphProto g;
        private final Map<String, TensorProto> inits = new LinkedHashMap<>();
        private final Map<String, Integer> producer = new HashMap<>();
        private final Set<String> graphOutputs = new HashSet<>();
        /** The value names taken so far, so inserted values get fresh ones. */
        private final Set<String> taken = new HashSet<>();
        /** Per original value name: its names by element type (the native one, plus any Casts made). */
        private final Map<String, Map<Integer, String>> versions = new HashMap<>();
        private final List<NodeProto> out = new ArrayList<>();
        private int casts;

        Converter(GraphProto g) {
            this.g = g;
            for (TensorProto t : g.getInitializerList()) {
                if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                    throw new OnnxFormatException("initializer '" + t.getName() + "' keeps its data in an external "
                            + "file: convert the model as OnnxModelWriter.model returns it (or read it with "
                            + "OnnxModelFiles.read, which brings the data inline)");
                }
                if (t.getDataType() == F16) {
                    throw new OnnxFormatException("initializer '" + t.getName() + "' is already float16: convert the "
                            + "fp32 graph, not an fp16 one");
                }
                inits.put(t.getName(), t);
                taken.add(t.getName());
            }
            g.getInputList().forEach(v -> taken.add(v.getName()));
            for (int i = 0; i < g.getNodeCount(); i++) {
                for (String o : g.getNode(i).getOutputList()) {
                    producer.put(o, i);
                    taken.add(o);
                }
            }
            g.getOutputList().forEach(v -> graphOutputs.add(v.getName()));
        }

        ModelProto run(ModelProto model) {
            boolean[] half = towerNodes();
            Map<String, Integer> type = new HashMap<>();
            for (ValueInfoProto v : g.getInputList()) {
                int t = v.getType().getTensorType().getElemType();
                type.put(v.getName(), t);
                versions.put(v.getName(), new HashMap<>(Map.of(t, v.getName())));
            }
            inits.values().forEach(t -> type.put(t.getName(), t.getDataType()));

            // Which element types each float initializer is read in, to store it once where possible.
            Map<String, Set<Integer>> wanted = new HashMap<>();
            for (int i = 0; i < g.getNodeCount(); i++) {
                NodeProto n = g.getNode(i);
                for (int j = 0; j < n.getInputCount(); j++) {
                    String in = n.getInput(j);
                    if (inits.containsKey(in) && follows(n, j, type)) {
                        wanted.computeIfAbsent(in, k -> new TreeSet<>()).add(half[i] ? F16 : F32);
                    }
                }
            }
            List<TensorProto> newInits = new ArrayList<>();
            for (TensorProto t : inits.values()) {
                Set<Integer> w = wanted.getOrDefault(t.getName(), Set.of());
                Map<Integer, String> names = new HashMap<>();
                if (t.getDataType() == F32 && w.contains(F16)) {
                    boolean keepF32 = w.contains(F32);
                    String name = keepF32 ? fresh(t.getName() + "_fp16") : t.getName();
                    newInits.add(toHalf(t, name));
                    names.put(F16, name);
                    if (keepF32) {
                        newInits.add(t);
                        names.put(F32, t.getName());
                    }
                } else {
                    newInits.add(t);
                    names.put(t.getDataType(), t.getName());
                }
                versions.put(t.getName(), names);
            }

            for (int i = 0; i < g.getNodeCount(); i++) {
                NodeProto n = g.getNode(i);
                int compute = half[i] ? F16 : F32;
                NodeProto.Builder b = n.toBuilder();
                boolean floating = false;
                for (int j = 0; j < n.getInputCount(); j++) {
                    String in = n.getInput(j);
                    if (in.isEmpty()) {
                        continue;
                    }
                    if (follows(n, j, type)) {
                        floating = true;
                        b.setInput(j, version(in, compute));
                    } else {
                        b.setInput(j, version(in, type.get(in)));
                    }
                }
                int outType = switch (n.getOpType()) {
                    case "Shape" -> I64;
                    case "Cast" -> (int) n.getAttributeList().stream().filter(a -> a.getName().equals("to"))
                            .findFirst().orElseThrow().getI();
                    default -> floating ? compute : type.get(n.getInput(0));
                };
                List<String[]> outputCasts = new ArrayList<>();
                for (int j = 0; j < n.getOutputCount(); j++) {
                    String o = n.getOutput(j);
                    type.put(o, outType);
                    Map<Integer, String> names = new HashMap<>();
                    if (outType == F16 && graphOutputs.contains(o)) {
                        // Graph outputs keep their name and float32 type: the node writes a float16 twin.
                        String twin = fresh(o + "_fp16");
                        b.setOutput(j, twin);
                        names.put(F16, twin);
                        names.put(F32, o);
                        outputCasts.add(new String[] {twin, o});
                    } else {
                        names.put(outType, o);
                    }
                    versions.put(o, names);
                }
                out.add(b.build());
                for (String[] c : outputCasts) {
                    out.add(cast(c[0], c[1], F32));
                }
            }
            for (ValueInfoProto v : g.getOutputList()) {
                // Outputs are always declared float32 by OnnxModelWriter; its value under that name must be it.
                Map<Integer, String> names = versions.get(v.getName());
                int declared = v.getType().getTensorType().getElemType();
                if (names == null || !v.getName().equals(names.get(declared))) {
                    throw new IllegalStateException("output '" + v.getName() + "' lost its declared type " + declared
                            + ": " + names);
                }
            }

            GraphProto.Builder gb = g.toBuilder().clearNode().addAllNode(out).clearInitializer().addAllInitializer(newInits);
            Set<String> ops = new TreeSet<>();
            out.forEach(n -> ops.add(n.getOpType()));
            ModelProto.Builder mb = model.toBuilder().setGraph(gb).clearMetadataProps();
            for (StringStringEntryProto p : model.getMetadataPropsList()) {
                if (p.getKey().equals("mvfa.op_types")) {
                    mb.addMetadataProps(p.toBuilder().setValue(String.join(",", ops)));
                } else if (!p.getKey().equals(PRECISION_KEY) && !p.getKey().equals(FP32_PARTS_KEY)) {
                    mb.addMetadataProps(p);
                }
            }
            mb.addMetadataProps(StringStringEntryProto.newBuilder().setKey(PRECISION_KEY).setValue(Precision.FP16.id()));
            mb.addMetadataProps(StringStringEntryProto.newBuilder().setKey(FP32_PARTS_KEY)
                    .setValue(String.join(",", new TreeSet<>(FP32_OPS)) + ",anomaly heads (norms, text logits, memory bank Gemm, Resize)"));
            return mb.build();
        }

        /**
         * Marks the nodes of the float16 tower: the LeakyRelu nodes (adapter tokens) and all their
         * ancestors, less the float32 operators.
         */
        private boolean[] towerNodes() {
            boolean[] tower = new boolean[g.getNodeCount()];
            Deque<Integer> todo = new ArrayDeque<>();
            for (int i = 0; i < g.getNodeCount(); i++) {
                if (g.getNode(i).getOpType().equals("LeakyRelu")) {
                    tower[i] = true;
                    todo.add(i);
                }
            }
            if (todo.isEmpty()) {
                throw new OnnxFormatException("the graph has no adapter tokens (LeakyRelu nodes): only MVFA graphs "
                        + "written by OnnxModelWriter can be converted to fp16");
            }
            while (!todo.isEmpty()) {
                for (String in : g.getNode(todo.poll()).getInputList()) {
                    Integer p = producer.get(in);
                    if (p != null && !tower[p]) {
                        tower[p] = true;
                        todo.add(p);
                    }
                }
            }
            for (int i = 0; i < tower.length; i++) {
                if (FP32_OPS.contains(g.getNode(i).getOpType())) {
                    tower[i] = false;
                }
            }
            return tower;
        }

        /**
         * Whether input j of n is float data computed on in the node's precision. Shape reads only the
         * dimensions, and Resize's roi and scales are float parameters of their own type.
         */
        private static boolean follows(NodeProto n, int j, Map<String, Integer> type) {
            Integer t = type.get(n.getInput(j));
            if (t == null || (t != F32 && t != F16)) {
                return false;
            }
            return switch (n.getOpType()) {
                case "Shape" -> false;
                case "Resize" -> j == 0;
                default -> true;
            };
        }

        /** The name of value {@code name} in element type {@code want}, adding a Cast the first time. */
        private String version(String name, int want) {
            Map<Integer, String> names = versions.get(name);
            if (names == null) {
                throw new OnnxFormatException("value '" + name + "' is read before any node defines it");
            }
            String have = names.get(want);
            if (have != null) {
                return have;
            }
            String source = names.values().iterator().next();
            String converted = fresh(name + (want == F16 ? "_fp16" : "_fp32"));
            out.add(cast(source, converted, want));
            names.put(want, converted);
            return converted;
        }

        private NodeProto cast(String from, String to, int type) {
            return NodeProto.newBuilder().setOpType("Cast").setName("Cast_precision_" + casts++).addInput(from)
                    .addOutput(to).addAttribute(OnnxAttributes.i("to", type)).build();
        }

        private String fresh(String base) {
            String n = base;
            for (int k = 1; taken.contains(n); k++) {
                n = base + "_" + k;
            }
            taken.add(n);
            return n;
        }

        /** A float32 initializer rounded to float16 (ties to even), same dimensions, new name. */
        private static TensorProto toHalf(TensorProto t, String name) {
            FloatBuffer src;
            if (t.hasRawData()) {
                src = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            } else {
                float[] v = new float[t.getFloatDataCount()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = t.getFloatData(i);
                }
                src = FloatBuffer.wrap(v);
            }
            ByteBuffer raw = ByteBuffer.allocate(src.remaining() * 2).order(ByteOrder.LITTLE_ENDIAN);
            ShortBuffer dst = raw.asShortBuffer();
            while (src.hasRemaining()) {
                float v = src.get();
                if (Math.abs(v) > F16_MAX && Float.isFinite(v)) {
                    throw new OnnxFormatException("weight '" + t.getName() + "' holds " + v + ", beyond float16's "
                            + "range (65504): export this model with --precision fp32");
                }
                dst.put(Float16.fromFloat(v));
            }
            return TensorProto.newBuilder().setName(name).setDataType(F16).addAllDims(t.getDimsList())
                    .setRawData(UnsafeByteOperations.unsafeWrap(raw.array())).build();
        }
    }
}
