package org.mvfaedge.trainer.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.mvfaedge.sdk.util.Float16;
import org.mvfaedge.trainer.weights.TorchPickle.ScriptObject;
import org.mvfaedge.trainer.weights.TorchPickle.StorageRef;
import org.mvfaedge.trainer.weights.TorchPickle.StorageType;
import org.mvfaedge.trainer.weights.TorchPickle.TensorRef;

/**
 * Reads PyTorch's zip checkpoint format: {@code torch.save} of a (possibly nested) dict of tensors,
 * and TorchScript archives such as OpenAI's released CLIP {@code .pt} files. The archive holds
 * {@code <top>/data.pkl} (the pickled object graph, where tensors point at storages by key) and one
 * raw little-endian record {@code <top>/data/<key>} per storage; the top folder's name varies.
 *
 * <p>Nested dicts are flattened with dots ({@code seg_adapters.0.fc1.0.weight}); a TorchScript
 * module tree is flattened into its state-dict names, keeping only the tensors its classes declare
 * as parameters or buffers. Floating tensors are widened to float32 (the source type is kept).
 */
public final class TorchCheckpoint {
    private static final Pattern DATA_PKL = Pattern.compile("(?:([^/]+)/)?data\\.pkl");

    private TorchCheckpoint() {
    }

    /** Reads every tensor of a {@code torch.save} file or TorchScript archive. */
    public static StateDict read(Path file) {
        CheckpointFormat format = CheckpointFormat.detect(file);
        if (format == CheckpointFormat.TORCH_LEGACY) {
            throw new CheckpointException(file, "legacy torch.save format (PyTorch before 1.6) is not supported:"
                    + " re-save it with torch.save(obj, path) in PyTorch 1.6 or later");
        }
        if (format != CheckpointFormat.TORCH_ZIP) {
            throw new CheckpointException(file, "not a CLIP checkpoint: neither a PyTorch zip checkpoint"
                    + " (.pt/.pth) nor safetensors");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return new StateDict(file, new Reader(file, zip).readAll());
        } catch (ZipException e) {
            throw new CheckpointException(file, "truncated or damaged PyTorch zip checkpoint (" + e.getMessage()
                    + "): download or copy it again", e);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** One archive being read. */
    private static final class Reader {
        private final Path file;
        private final ZipFile zip;
        private final String prefix;
        private final ByteOrder order;

        Reader(Path file, ZipFile zip) throws IOException {
            this.file = file;
            this.zip = zip;
            String found = null;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements();) {
                Matcher m = DATA_PKL.matcher(en.nextElement().getName());
                if (m.matches()) {
                    found = m.group(1) == null ? "" : m.group(1) + "/";
                    break;
                }
            }
            if (found == null) {
                throw new CheckpointException(file, "zip archive without data.pkl: not a PyTorch checkpoint");
            }
            this.prefix = found;
            ZipEntry bo = zip.getEntry(prefix + "byteorder");
            String byteOrder = bo == null ? "little" : new String(readEntry(bo), StandardCharsets.US_ASCII).trim();
            this.order = byteOrder.equals("big") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        }

        Map<String, HostTensor> readAll() throws IOException {
            Object root;
            try (InputStream in = zip.getInputStream(zip.getEntry(prefix + "data.pkl"))) {
                root = TorchPickle.unpickle(in);
            } catch (CheckpointException e) {
                throw e;
            } catch (RuntimeException e) {
                // Any runtime exception of the unpickler is a malformed pickle: an opcode on an empty stack or
                // without its MARK (IndexOutOfBoundsException, found by fuzzing), a value of the wrong type, ...
                throw new CheckpointException(file, "data.pkl cannot be unpickled (" + e.getClass().getSimpleName()
                        + ": " + e.getMessage() + ")", e);
            } catch (ZipException e) {
                throw new CheckpointException(file, "data.pkl is damaged (" + e.getMessage() + ")", e);
            }
            Map<String, TensorRef> refs = new LinkedHashMap<>();
            if (root instanceof ScriptObject module) {
                new ScriptFlattener(zip, prefix).flatten(module, "", refs);
            } else if (root instanceof Map<?, ?> dict) {
                flattenDict(dict, "", refs);
            } else {
                throw new CheckpointException(file, "data.pkl holds a " + describe(root)
                        + ", not a dict of tensors or a TorchScript module");
            }
            return materialize(refs);
        }

        private static void flattenDict(Map<?, ?> dict, String path, Map<String, TensorRef> out) {
            dict.forEach((k, v) -> {
                String name = path + k;
                if (v instanceof TensorRef t) {
                    out.put(name, t);
                } else if (v instanceof Map<?, ?> inner) {
                    flattenDict(inner, name + ".", out);
                }
                // Other values (ints, strings, optimizer settings) are not weights.
            });
        }

        /** Reads each storage once and cuts its tensors out of it, in name order. */
        private Map<String, HostTensor> materialize(Map<String, TensorRef> refs) throws IOException {
            Map<String, List<String>> byStorage = new LinkedHashMap<>();
            refs.forEach((name, t) -> byStorage.computeIfAbsent(t.storage().key(), k -> new ArrayList<>()).add(name));
            Map<String, HostTensor> built = new HashMap<>();
            for (Map.Entry<String, List<String>> e : byStorage.entrySet()) {
                StorageRef storage = refs.get(e.getValue().get(0)).storage();
                ByteBuffer data = readStorage(storage);
                for (String name : e.getValue()) {
                    built.put(name, cut(name, refs.get(name), data));
                }
            }
            Map<String, HostTensor> out = new LinkedHashMap<>();
            refs.keySet().forEach(n -> out.put(n, built.get(n)));
            return out;
        }

        private ByteBuffer readStorage(StorageRef s) throws IOException {
            String entryName = prefix + "data/" + s.key();
            ZipEntry entry = zip.getEntry(entryName);
            if (entry == null) {
                throw new CheckpointException(file, "storage record " + entryName + " is missing from the archive");
            }
            long need = s.numel() * s.type().bytes;
            if (need > Integer.MAX_VALUE - 8) {
                throw new CheckpointException(file, "storage record " + entryName + " is too large for one Java array");
            }
            byte[] bytes = readEntry(entry);
            if (bytes.length < need) {
                throw new CheckpointException(file, "storage record " + entryName + " is too short: "
                        + bytes.length + " bytes, but " + s.numel() + " " + s.type().name().toLowerCase()
                        + " elements need " + need + " (the file is damaged)");
            }
            return ByteBuffer.wrap(bytes).order(order);
        }

        private byte[] readEntry(ZipEntry entry) throws IOException {
            try (InputStream in = zip.getInputStream(entry)) {
                return in.readAllBytes();
            } catch (ZipException e) {
                throw new CheckpointException(file, "record " + entry.getName() + " is damaged (" + e.getMessage() + ")", e);
            }
        }

        private HostTensor cut(String name, TensorRef t, ByteBuffer data) {
            long[] size = t.size();
            long[] stride = t.stride();
            if (size.length != stride.length) {
                throw new CheckpointException(file, "tensor '" + name + "' has size " + Arrays.toString(size)
                        + " but stride " + Arrays.toString(stride));
            }
            long n = HostTensor.numel(size);
            long last = t.offset();
            for (int d = 0; d < size.length; d++) {
                if (size[d] > 0) {
                    last += (size[d] - 1) * stride[d];
                }
            }
            if (n > 0 && (t.offset() < 0 || last >= t.storage().numel())) {
                throw new CheckpointException(file, "tensor '" + name + "' reaches element " + last
                        + " of storage " + t.storage().key() + ", which has " + t.storage().numel());
            }
            if (n > Integer.MAX_VALUE - 8) {
                throw new CheckpointException(file, "tensor '" + name + "' is too large for one Java array");
            }
            // Contiguous tensors (nearly all) need no index table.
            int[] index = isContiguous(size, stride) ? null : storageIndices(size, stride, t.offset(), (int) n);
            int base = (int) t.offset();
            int count = (int) n;
            StorageType type = t.storage().type();
            int w = type.bytes;
            switch (type) {
                case FLOAT, HALF, BFLOAT16, DOUBLE: {
                    float[] f = new float[count];
                    for (int i = 0; i < count; i++) {
                        int at = (index == null ? base + i : index[i]) * w;
                        f[i] = switch (type) {
                            case FLOAT -> data.getFloat(at);
                            case HALF -> Float16.toFloat(data.getShort(at));
                            case BFLOAT16 -> Float16.bfloat16ToFloat(data.getShort(at));
                            default -> (float) data.getDouble(at);
                        };
                    }
                    return HostTensor.ofFloats(size, f, type.dtype);
                }
                default: {
                    long[] l = new long[count];
                    for (int i = 0; i < count; i++) {
                        int at = (index == null ? base + i : index[i]) * w;
                        l[i] = switch (type) {
                            case LONG -> data.getLong(at);
                            case INT -> data.getInt(at);
                            case SHORT -> data.getShort(at);
                            case BYTE, BOOL -> data.get(at) & 0xff;
                            default -> data.get(at);
                        };
                    }
                    return HostTensor.ofLongs(size, l, type.dtype);
                }
            }
        }

        private String describe(Object o) {
            return o == null ? "None" : o.getClass().getSimpleName();
        }
    }

    static boolean isContiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            if (size[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= size[d];
        }
        return true;
    }

    /** Storage element index of each tensor element, in C order (honours offset and any strides). */
    static int[] storageIndices(long[] size, long[] stride, long offset, int n) {
        int[] out = new int[n];
        int rank = size.length;
        long[] counter = new long[rank];
        long pos = offset;
        for (int i = 0; i < n; i++) {
            out[i] = (int) pos;
            // Odometer step over the dimensions, last fastest.
            for (int d = rank - 1; d >= 0; d--) {
                counter[d]++;
                pos += stride[d];
                if (counter[d] < size[d]) {
                    break;
                }
                pos -= stride[d] * counter[d];
                counter[d] = 0;
            }
        }
        return out;
    }
}
