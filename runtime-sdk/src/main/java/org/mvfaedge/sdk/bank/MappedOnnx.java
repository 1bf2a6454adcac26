package org.mvfaedge.sdk.bank;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.mvfaedge.sdk.onnx.OnnxFormatException;

/**
 * Reads an ONNX model without copying its tensors into the Java heap: the model file is memory-mapped
 * and parsed with protobuf's aliasing, so every {@code raw_data} is a view of the mapped file, and each
 * external tensor becomes a view of its mapped range of the data file. The result looks like a model
 * with every tensor inline (what {@link org.mvfaedge.sdk.onnx.OnnxModelFiles#write} takes), but its
 * weights live in the page cache: enrollment rewrites a package of any size holding only the memory
 * bank in the heap (an earlier version parsed a ViT-B/16 model onto a 1.3 GB heap peak).
 *
 * <p>The files must not change while the model is in use (package files are written once, then
 * renamed into place, and never modified).
 */
public final class MappedOnnx {
    private MappedOnnx() {
    }

    /** The model at {@code modelFile}, tensors mapped, external data brought "inline" as mapped views. */
    public static ModelProto read(Path modelFile) {
        Path file = modelFile.toAbsolutePath().normalize();
        ModelProto model;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() >= Integer.MAX_VALUE) {
                throw new OnnxFormatException(file + " is " + ch.size() + " bytes, over protobuf's 2 GB limit");
            }
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            CodedInputStream in = CodedInputStream.newInstance(map);
            in.enableAliasing(true);
            in.setSizeLimit(Integer.MAX_VALUE);
            model = ModelProto.parseFrom(in);
        } catch (NoSuchFileException e) {
            throw new OnnxFormatException("ONNX model " + file + " does not exist");
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxFormatException(file + " is not an ONNX model (protobuf: " + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read ONNX model " + file + ": " + e.getMessage(), e);
        }
        GraphProto.Builder graph = null;
        Map<Path, FileChannel> open = new HashMap<>();
        try {
            for (int i = 0; i < model.getGraph().getInitializerCount(); i++) {
                TensorProto t = model.getGraph().getInitializer(i);
                if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
                    continue;
                }
                if (graph == null) {
                    graph = model.getGraph().toBuilder();
                }
                graph.setInitializer(i, mapped(file, t, open));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not map external data of " + file + ": " + e.getMessage(), e);
        } finally {
            for (FileChannel ch : open.values()) {
                try {
                    ch.close(); // mappings stay valid after the channel is closed
                } catch (IOException ignored) {
                    // read-only channel: nothing was lost
                }
            }
        }
        return graph == null ? model : model.toBuilder().setGraph(graph).build();
    }

    private static TensorProto mapped(Path modelFile, TensorProto t, Map<Path, FileChannel> open) throws IOException {
        Map<String, String> entries = new HashMap<>();
        for (StringStringEntryProto e : t.getExternalDataList()) {
            entries.put(e.getKey(), e.getValue());
        }
        String location = entries.get("location");
        if (location == null) {
            throw new OnnxFormatException(modelFile + ": tensor '" + t.getName() + "' is external but names no location");
        }
        Path dir = modelFile.getParent();
        Path data = dir.resolve(location).normalize();
        if (!data.startsWith(dir)) {
            throw new OnnxFormatException(modelFile + ": tensor '" + t.getName() + "' points outside the model's folder ("
                    + location + "); external data must lie beside the model");
        }
        FileChannel ch = open.get(data);
        if (ch == null) {
            if (!Files.isRegularFile(data)) {
                throw new OnnxFormatException(modelFile + ": its external data file " + data + " is missing; copy it "
                        + "together with the model");
            }
            ch = FileChannel.open(data, StandardOpenOption.READ);
            open.put(data, ch);
        }
        long offset = number(modelFile, t, entries.get("offset"), 0);
        long length = number(modelFile, t, entries.get("length"), ch.size() - offset);
        if (offset < 0 || length < 0 || offset + length > ch.size() || length > Integer.MAX_VALUE) {
            throw new OnnxFormatException(modelFile + ": tensor '" + t.getName() + "' wants bytes " + offset + ".."
                    + (offset + length) + " of " + data + ", which holds " + ch.size() + " (truncated or mismatched file)");
        }
        MappedByteBuffer view = ch.map(FileChannel.MapMode.READ_ONLY, offset, length);
        return t.toBuilder().clearExternalData().clearDataLocation().setRawData(UnsafeByteOperations.unsafeWrap(view))
                .build();
    }

    private static long number(Path modelFile, TensorProto t, String v, long fallback) {
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new OnnxFormatException(modelFile + ": tensor '" + t.getName() + "' has external data field '" + v
                    + "', not a number");
        }
    }
}
