package org.mvfaedge.trainer.weights;

import org.mvfaedge.sdk.util.AtomicFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mvfaedge.sdk.util.Float16;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header mapping each tensor
 * name to dtype, shape and byte range, then the raw little-endian data. Read by memory-mapping one
 * tensor at a time, so a ViT-L checkpoint never sits twice on the heap.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {
    }

    /** Reads every tensor, widening floating types to float32. */
    public static StateDict read(Path file) {
        return new StateDict(file, readWithMetadata(file, null));
    }

    /** Reads every tensor and fills {@code metadataOut} (if not null) with {@code __metadata__}. */
    public static Map<String, HostTensor> readWithMetadata(Path file, Map<String, String> metadataOut) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new CheckpointException(file, "not a safetensors file (only " + size + " bytes)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 1 || headerLen > MAX_HEADER || headerLen > size - 8) {
                throw new CheckpointException(file, "not a safetensors file or truncated (header length "
                        + headerLen + ", file size " + size + ")");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            JsonNode header;
            try {
                header = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new CheckpointException(file, "not a safetensors file (header is not JSON)", e);
            }
            if (header == null || !header.isObject()) {
                throw new CheckpointException(file, "not a safetensors file (header is not a JSON object)");
            }
            long dataStart = 8 + headerLen;
            Map<String, HostTensor> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    if (metadataOut != null) {
                        e.getValue().fields().forEachRemaining(m -> metadataOut.put(m.getKey(), m.getValue().asText()));
                    }
                    continue;
                }
                out.put(e.getKey(), readTensor(file, ch, e.getKey(), e.getValue(), dataStart, size));
            }
            return out;
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private static HostTensor readTensor(Path file, FileChannel ch, String name, JsonNode info,
            long dataStart, long fileSize) throws IOException {
        JsonNode dtypeNode = info.get("dtype");
        JsonNode shapeNode = info.get("shape");
        JsonNode offsets = info.get("data_offsets");
        if (dtypeNode == null || shapeNode == null || offsets == null || offsets.size() != 2) {
            throw new CheckpointException(file, "tensor '" + name + "' has an incomplete header entry");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong();
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        String dtype = dtypeNode.asText();
        int width = switch (dtype) {
            case "F16", "BF16", "I16" -> 2;
            case "F32", "I32" -> 4;
            case "F64", "I64" -> 8;
            case "U8", "I8", "BOOL" -> 1;
            default -> throw new CheckpointException(file, "tensor '" + name + "' has unsupported dtype " + dtype);
        };
        long n = HostTensor.numel(shape);
        if (end - begin != n * width || begin < 0) {
            throw new CheckpointException(file, "tensor '" + name + "' byte range does not match its shape");
        }
        if (dataStart + end > fileSize) {
            throw new CheckpointException(file, "truncated: tensor '" + name + "' ends at byte "
                    + (dataStart + end) + " but the file has " + fileSize);
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(file, "tensor '" + name + "' is too large for one Java array");
        }
        ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, end - begin)
                .order(ByteOrder.LITTLE_ENDIAN);
        int count = (int) n;
        switch (dtype) {
            case "F32": {
                float[] f = new float[count];
                b.asFloatBuffer().get(f);
                return HostTensor.ofFloats(shape, f, HostTensor.DType.F32);
            }
            case "F16": {
                float[] f = new float[count];
                for (int i = 0; i < count; i++) {
                    f[i] = Float16.toFloat(b.getShort(2 * i));
                }
                return HostTensor.ofFloats(shape, f, HostTensor.DType.F16);
            }
            case "BF16": {
                float[] f = new float[count];
                for (int i = 0; i < count; i++) {
                    f[i] = Float16.bfloat16ToFloat(b.getShort(2 * i));
                }
                return HostTensor.ofFloats(shape, f, HostTensor.DType.BF16);
            }
            case "F64": {
                float[] f = new float[count];
                for (int i = 0; i < count; i++) {
                    f[i] = (float) b.getDouble(8 * i);
                }
                return HostTensor.ofFloats(shape, f, HostTensor.DType.F64);
            }
            default: {
                long[] l = new long[count];
                for (int i = 0; i < count; i++) {
                    l[i] = switch (dtype) {
                        case "I64" -> b.getLong(8 * i);
                        case "I32" -> b.getInt(4 * i);
                        case "I16" -> b.getShort(2 * i);
                        case "U8" -> b.get(i) & 0xff;
                        default -> b.get(i);
                    };
                }
                return HostTensor.ofLongs(shape, l, HostTensor.DType.valueOf(dtype));
            }
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos + buf.position());
            if (r < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    /** Element type written for floating tensors. */
    public enum FloatFormat { F32, F16 }

    /**
     * Writes the tensors atomically: to a temporary file beside the target, then moved into place,
     * so a crash never leaves a partial checkpoint under the real name.
     */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata,
            FloatFormat format) throws IOException {
        write(file, tensors, metadata, name -> format);
    }

    /**
     * As {@link #write(Path, Map, Map, FloatFormat)}, choosing the element type of each floating
     * tensor by name (OpenAI's releases mix fp16 weights with fp32 layer norms and embeddings).
     */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata,
            java.util.function.Function<String, FloatFormat> formatOf) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            HostTensor t = e.getValue();
            ObjectNode node = header.putObject(e.getKey());
            long bytes;
            if (t.isFloating()) {
                FloatFormat format = formatOf.apply(e.getKey());
                node.put("dtype", format.name());
                bytes = t.numel() * (format == FloatFormat.F16 ? 2 : 4);
            } else {
                node.put("dtype", "I64");
                bytes = t.numel() * 8;
            }
            var shape = node.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            node.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] headerBytes = JSON.writeValueAsBytes(header);
        // Pad the header with spaces to an 8-byte boundary, as the reference writer does.
        int pad = (8 - headerBytes.length % 8) % 8;
        // AtomicFiles creates the temporary file with the umask's permissions; createTempFile would leave the
        // checkpoint readable by its owner only (0600), which other services reading it (the edge server) trip over.
        AtomicFiles.write(file, tmp -> {
            try (OutputStream os = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                len.putLong(headerBytes.length + pad);
                os.write(len.array());
                os.write(headerBytes);
                for (int i = 0; i < pad; i++) {
                    os.write(' ');
                }
                ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
                    HostTensor t = e.getValue();
                    if (t.isFloating()) {
                        FloatFormat format = formatOf.apply(e.getKey());
                        for (float v : t.floats()) {
                            if (chunk.remaining() < 4) {
                                flush(os, chunk);
                            }
                            if (format == FloatFormat.F16) {
                                chunk.putShort(Float16.fromFloat(v));
                            } else {
                                chunk.putFloat(v);
                            }
                        }
                    } else {
                        for (long v : t.longs()) {
                            if (chunk.remaining() < 8) {
                                flush(os, chunk);
                            }
                            chunk.putLong(v);
                        }
                    }
                }
                flush(os, chunk);
            }
        });
    }

    private static void flush(OutputStream os, ByteBuffer chunk) throws IOException {
        os.write(chunk.array(), 0, chunk.position());
        chunk.clear();
    }
}
