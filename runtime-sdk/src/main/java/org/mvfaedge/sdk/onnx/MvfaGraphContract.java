package org.mvfaedge.sdk.onnx;

import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.mvfaedge.sdk.ModelPackageException;

/**
 * What makes an ONNX graph an MVFA graph the SDK can run: the input {@link MvfaGraphNames#IMAGE}, the
 * zero-shot outputs, and for few-shot graphs both few-shot outputs. Checked once on the graph file,
 * before any execution provider is asked to load it: a graph of another kind is a wrong file, not a
 * provider failure, and retrying it on TensorRT, CUDA and the CPU would only hide that.
 *
 * <p>The names are read from the protobuf without materialising the graph: the initializers (the
 * weights, which make up nearly all of the file) are skipped, so the check costs a few reads even for
 * a ViT-L graph with its weights inline.
 */
public final class MvfaGraphContract {
    /** Inputs every MVFA graph has. */
    public static final List<String> INPUTS = List.of(MvfaGraphNames.IMAGE);
    /** Outputs every MVFA graph has. */
    public static final List<String> OUTPUTS = List.of(MvfaGraphNames.ZERO_MAP, MvfaGraphNames.ZERO_SCORE);
    /** Outputs a few-shot graph has in addition. */
    public static final List<String> FEW_SHOT_OUTPUTS = List.of(MvfaGraphNames.FEW_MAP, MvfaGraphNames.FEW_SCORE);

    // Field numbers of onnx.proto3: ModelProto.graph, GraphProto.input, GraphProto.output.
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;

    private MvfaGraphContract() {
    }

    /** The input and output names of a graph, in the graph's order. */
    public record Signature(Set<String> inputs, Set<String> outputs) {
        /** Whether both few-shot outputs are there. */
        public boolean fewShot() {
            return outputs.containsAll(FEW_SHOT_OUTPUTS);
        }
    }

    /** Reads the input and output names of an ONNX model file (initializers are skipped, not read). */
    public static Signature read(Path modelFile) {
        Set<String> inputs = new LinkedHashSet<>();
        Set<String> outputs = new LinkedHashSet<>();
        try (InputStream in = Files.newInputStream(modelFile)) {
            CodedInputStream model = CodedInputStream.newInstance(in);
            model.setSizeLimit(Integer.MAX_VALUE);
            for (int tag = model.readTag(); tag != 0; tag = model.readTag()) {
                if (WireFormat.getTagFieldNumber(tag) != MODEL_GRAPH
                        || WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    model.skipField(tag);
                    continue;
                }
                int limit = model.pushLimit(model.readRawVarint32());
                for (int g = model.readTag(); g != 0; g = model.readTag()) {
                    int field = WireFormat.getTagFieldNumber(g);
                    if ((field == GRAPH_INPUT || field == GRAPH_OUTPUT)
                            && WireFormat.getTagWireType(g) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                        String name = ValueInfoProto.parseFrom(model.readBytes()).getName();
                        (field == GRAPH_INPUT ? inputs : outputs).add(name);
                    } else {
                        model.skipField(g);
                    }
                }
                model.popLimit(limit);
            }
        } catch (NoSuchFileException e) {
            throw new OnnxFormatException("ONNX model " + modelFile + " does not exist");
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxFormatException(modelFile + " is not an ONNX model (protobuf: " + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new OnnxFormatException("could not read ONNX model " + modelFile + ": " + e.getMessage(), e);
        }
        return new Signature(Collections.unmodifiableSet(inputs), Collections.unmodifiableSet(outputs));
    }

    /**
     * Checks the graph file of a package: its signature must be an MVFA graph's, with the few-shot
     * outputs when {@code fewShot}.
     *
     * @param pkg the package folder the message names
     * @throws ModelPackageException naming every missing input and output, and what the graph has instead
     */
    public static Signature check(Path pkg, Path modelFile, boolean fewShot) {
        Signature s;
        try {
            s = read(modelFile);
        } catch (OnnxFormatException e) {
            throw new ModelPackageException(pkg, e.getMessage() + " (re-export the package)", e);
        }
        String problem = problem(s.inputs(), s.outputs(), fewShot);
        if (problem != null) {
            throw new ModelPackageException(pkg, modelFile.getFileName() + " is not an MVFA graph: " + problem
                    + " (export the model with ./mvfa export, which writes an MVFA graph)");
        }
        return s;
    }

    /**
     * What an MVFA graph with these inputs and outputs lacks, or null when nothing: the missing names,
     * then the names the graph has, so a wrong file is recognisable from the message alone. Few-shot
     * outputs are required when {@code fewShot}, and as a pair whenever one of them is there.
     */
    public static String problem(Collection<String> inputs, Collection<String> outputs, boolean fewShot) {
        List<String> missingIn = missing(INPUTS, inputs);
        List<String> wantedOut = new ArrayList<>(OUTPUTS);
        if (fewShot || outputs.stream().anyMatch(FEW_SHOT_OUTPUTS::contains)) {
            wantedOut.addAll(FEW_SHOT_OUTPUTS);
        }
        List<String> missingOut = missing(wantedOut, outputs);
        if (missingIn.isEmpty() && missingOut.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        if (!missingIn.isEmpty()) {
            sb.append("missing input(s) ").append(String.join(", ", missingIn));
        }
        if (!missingOut.isEmpty()) {
            sb.append(sb.length() > 0 ? "; " : "").append("missing output(s) ").append(String.join(", ", missingOut));
        }
        sb.append(" (the graph has inputs ").append(inputs).append(" and outputs ").append(outputs).append(')');
        return sb.toString();
    }

    private static List<String> missing(List<String> wanted, Collection<String> have) {
        List<String> out = new ArrayList<>();
        for (String w : wanted) {
            if (!have.contains(w)) {
                out.add(w);
            }
        }
        return out;
    }
}
