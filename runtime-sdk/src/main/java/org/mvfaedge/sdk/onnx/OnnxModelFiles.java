package org.mvfaedge.sdk.onnx;

import org.mvfaedge.sdk.util.AtomicFiles;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes and reads ONNX model files, with ONNX external data: tensors whose data lives in a file
 * beside the model ({@code model.onnx.data} for {@code model.onnx}), located by the TensorProto's
 * {@code external_data} entries {@code location}, {@code offset} and {@code length}. Writes are
 * atomic: both files are written under temporary names in the target folder and then moved into
 * place, so a crash never leaves a half-written model where a reader looks for one. The data file is
 * moved first and the model second: a reader that opens the pair in the instant between the two moves
 * of an overwrite may see a new data file with the old model, so packages that are served while being
 * rewritten should be written to a new folder that is then renamed.
 */
public final class OnnxModelFiles {
    /**
     * Offsets in the data file are multiples of this, so ONNX Runtime can memory-map the tensors
     * (it maps only page-aligned offsets) and readers see naturally aligned floats.
     */
    public static final int DATA_ALIGNMENT = 4096;
    /** Protobuf refuses to serialise or parse a message of 2 GB or more. */
    private static final long PROTOBUF_LIMIT = Integer.MAX_VALUE;

    private OnnxModelFiles() {
    }

    /** The external data file that {@link #write} uses for a model file: its name plus {@code .data}. */
    public static Path dataFileFor(Path modelFile) {
        return modelFile.resolveSibling(modelFile.getFileName() + ".data");
    }

    /**
     * Writes a model whose tensors are all inline (as {@link OnnxGraph#toModel} and {@link #read}
     * produce them), moving large tensors to the data file when the policy says so. A data file left
     * by an earlier write of the same model file is removed when this model needs none.
     */
    public static void write(ModelProto model, Path modelFile, ExternalDataPolicy policy) {
        Path target = modelFile.toAbsolutePath().normalize();
        Path dir = target.getParent();
        Path dataFile = dataFileFor(target);
        long total = 0;
        for (TensorProto t : model.getGraph().getInitializerList()) {
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                throw new OnnxFormatException("initializer '" + t.getName() + "' still refers to external data: "
                        + "load the model with OnnxModelFiles.read (which brings it inline) before writing it");
            }
            total += OnnxTensors.dataBytes(t);
        }
        boolean external = policy.appliesTo(total);
        if (!external && total >= PROTOBUF_LIMIT) {
            throw new OnnxFormatException("model '" + target + "' holds " + total + " bytes of tensors, more "
                    + "than protobuf's 2 GB limit for one file: write it with external data "
                    + "(ExternalDataPolicy.automatic())");
        }
        Path tmpModel = null;
        Path tmpData = null;
        try {
            Files.createDirectories(dir);
            ModelProto toWrite = model;
            if (external) {
                tmpData = Files.createTempFile(dir, "." + dataFile.getFileName(), ".tmp");
                toWrite = externalise(model, tmpData, dataFile.getFileName().toString(), policy.tensorBytesThreshold());
                if (toWrite == model) {
                    // No tensor reached the threshold: one self-contained file after all.
                    external = false;
                    Files.delete(tmpData);
                    tmpData = null;
                }
            }
            tmpModel = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            try (OutputStream out = Files.newOutputStream(tmpModel)) {
                toWrite.writeTo(out);
            }
            if (tmpData != null) {
                AtomicFiles.moveIntoPlace(tmpData, dataFile);
                tmpData = null;
            }
            AtomicFiles.moveIntoPlace(tmpModel, target);
            tmpModel = null;
            if (!external) {
                // A data file from an earlier, larger version of this model would only mislead.
                Files.deleteIfExists(dataFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write ONNX model " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmpModel);
            deleteQuietly(tmpData);
        }
    }

    private static ModelProto externalise(ModelProto model, Path tmpData, String location, long threshold)
            throws IOException {
        GraphProto.Builder graph = model.getGraph().toBuilder();
        int moved = 0;
        try (FileChannel ch = FileChannel.open(tmpData, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long offset = 0;
            for (int i = 0; i < graph.getInitializerCount(); i++) {
                TensorProto t = graph.getInitializer(i);
                if (!t.hasRawData() || t.getRawData().size() < threshold || t.getRawData().isEmpty()) {
                    continue;
                }
                long aligned = (offset + DATA_ALIGNMENT - 1) / DATA_ALIGNMENT * DATA_ALIGNMENT;
                ByteString raw = t.getRawData();
                ch.position(aligned);
                for (ByteBuffer b : raw.asReadOnlyByteBufferList()) {
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
                offset = aligned + raw.size();
                moved++;
                graph.setInitializer(i, t.toBuilder().clearRawData()
                        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                        .addExternalData(entry("location", location))
                        .addExternalData(entry("offset", Long.toString(aligned)))
                        .addExternalData(entry("length", Long.toString(raw.size())))
                        .build());
            }
            ch.force(true);
        }
        return moved == 0 ? model : model.toBuilder().setGraph(graph).build();
    }

    /**
     * Reads a model file and brings any external data inline, so that initializers can be inspected
     * and replaced (for instance a package's memory bank during enrollment) and the model written
     * again with {@link #write}.
     */
    public static ModelProto read(Path modelFile) {
        Path file = modelFile.toAbsolutePath().normalize();
        return withExternalData(file, parse(file, ModelProto::parseFrom), false);
    }

    /**
     * Like {@link #read}, but without copying tensors into the Java heap: the model file is memory-mapped and
     * parsed with protobuf's aliasing, so every {@code raw_data} is a view of the mapped file, and each external
     * tensor a view of its mapped range of the data file. Enrollment rewrites a package of any size this way,
     * holding only the memory bank in the heap (parsing a ViT-B/16 model onto the heap peaked at 1.3 GB). The
     * files must not change while the model is in use (package files are written once and renamed into place).
     */
    public static ModelProto readMapped(Path modelFile) {
        Path file = modelFile.toAbsolutePath().normalize();
        ModelProto model;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() >= Integer.MAX_VALUE) {
                throw new OnnxFormatException(file + " is " + ch.size() + " bytes, over protobuf's 2 GB limit");
            }
            CodedInputStream in = CodedInputStream.newInstance(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()));
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
        return withExternalData(file, model, true);
    }

    /** The model with its external tensors brought inline: read into the heap, or as mapped views. */
    private static ModelProto withExternalData(Path file, ModelProto model, boolean mapped) {
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
                graph.setInitializer(i, inline(file, t, open, mapped));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read external data of " + file + ": " + e.getMessage(), e);
        } finally {
            for (FileChannel ch : open.values()) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // read-only channel: nothing was lost
                }
            }
        }
        return graph == null ? model : model.toBuilder().setGraph(graph).build();
    }

    /** Reads a model file's protobuf, or part of it, from a stream without protobuf's 64 MB default limit. */
    interface ProtobufReader<T> {
        T read(CodedInputStream in) throws IOException;
    }

    /**
     * Runs {@code body} on the model file's protobuf stream, with the messages every reader of a model gives
     * for a missing file (OnnxFormatException), a file that is not an ONNX model (OnnxFormatException) and a
     * read failure (UncheckedIOException).
     */
    static <T> T parse(Path modelFile, ProtobufReader<T> body) {
        Path file = modelFile.toAbsolutePath().normalize();
        try (InputStream in = Files.newInputStream(file)) {
            CodedInputStream coded = CodedInputStream.newInstance(in);
            coded.setSizeLimit(Integer.MAX_VALUE);
            return body.read(coded);
        } catch (NoSuchFileException e) {
            throw new OnnxFormatException("ONNX model " + file + " does not exist");
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxFormatException(file + " is not an ONNX model (protobuf: " + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read ONNX model " + file + ": " + e.getMessage(), e);
        }
    }

    private static TensorProto inline(Path modelFile, TensorProto t, Map<Path, FileChannel> open, boolean mapped)
            throws IOException {
        Map<String, String> entries = new HashMap<>();
        for (StringStringEntryProto e : t.getExternalDataList()) {
            entries.put(e.getKey(), e.getValue());
        }
        String location = entries.get("location");
        if (location == null) {
            throw new OnnxFormatException(modelFile + ": tensor '" + t.getName() + "' is external but names no location");
        }
        Path dir = modelFile.getParent();
        Path data;
        try {
            data = dir.resolve(location).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            // e.g. a NUL byte in the name (found by fuzzing: OnnxFuzzTest)
            throw new OnnxFormatException(modelFile + ": tensor '" + t.getName() + "' names an external data file that"
                    + " is not a valid file name", e);
        }
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
        long offset = parse(modelFile, t, entries, "offset", 0);
        long length = parse(modelFile, t, entries, "length", ch.size() - offset);
        // length > size - offset, not offset + length > size: the sum of two outside values can overflow
        if (offset < 0 || length < 0 || offset > ch.size() || length > ch.size() - offset || length > Integer.MAX_VALUE) {
            throw new OnnxFormatException(modelFile + ": tensor '" + t.getName() + "' wants bytes " + offset + ".."
                    + (offset + length) + " of " + data + ", which holds " + ch.size() + " (truncated or mismatched file)");
        }
        if (mapped) {
            // a view of the file in the page cache; it stays valid after the channel is closed
            return t.toBuilder().clearExternalData().clearDataLocation()
                    .setRawData(UnsafeByteOperations.unsafeWrap(ch.map(FileChannel.MapMode.READ_ONLY, offset, length)))
                    .build();
        }
        ByteBuffer buf = ByteBuffer.allocate((int) length);
        long pos = offset;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new OnnxFormatException(modelFile + ": " + data + " ended early while reading '" + t.getName() + "'");
            }
            pos += n;
        }
        return t.toBuilder().clearExternalData().clearDataLocation()
                .setRawData(UnsafeByteOperations.unsafeWrap(buf.array())).build();
    }

    private static long parse(Path modelFile, TensorProto t, Map<String, String> entries, String key, long fallback) {
        String v = entries.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new OnnxFormatException(modelFile + ": tensor '" + t.getName() + "' has external " + key + " '" + v
                    + "', not a number");
        }
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort: a stray temporary file is harmless and named as such
            }
        }
    }
}
