package org.mvfaedge.trainer.weights;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * Unpickles the {@code data.pkl} of a PyTorch zip checkpoint into plain Java objects: dicts become
 * insertion-ordered {@link LinkedHashMap}s, tensors become {@link TensorRef}s pointing into storage
 * records (nothing is read yet), TorchScript modules become {@link ScriptObject}s holding their
 * attributes. Every global is resolved here rather than through razorvine's static constructor
 * registry, so loading a checkpoint never changes process-wide state.
 */
final class TorchPickle extends Unpickler {
    private static final short GLOBAL = 'c';
    private static final short STACK_GLOBAL = 0x93;
    private static final short BUILD = 'b';
    private static final short EMPTY_DICT = '}';
    private static final short DICT = 'd';
    private static final short SETITEM = 's';
    private static final short SETITEMS = 'u';

    /** A storage record {@code data/<key>} of {@code numel} elements of one type. */
    record StorageRef(StorageType type, String key, long numel) {
    }

    /** A tensor as {@code _rebuild_tensor_v2} describes it: a strided view of a storage. */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
    }

    /** An instance of a TorchScript class ({@code __torch__.*}): its attributes in pickle order. */
    static final class ScriptObject {
        final String module;
        final String name;
        final Map<String, Object> attributes = new LinkedHashMap<>();

        ScriptObject(String module, String name) {
            this.module = module;
            this.name = name;
        }

        String qualifiedName() {
            return module + "." + name;
        }
    }

    /** Any other global: constructible, so REDUCE / NEWOBJ on it do not fail; its value is ignored. */
    record Opaque(String qualifiedName) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            return this;
        }
    }

    /** Element types of PyTorch storages, by the class name under which torch pickles them. */
    enum StorageType {
        FLOAT(4, HostTensor.DType.F32), HALF(2, HostTensor.DType.F16), BFLOAT16(2, HostTensor.DType.BF16),
        DOUBLE(8, HostTensor.DType.F64), LONG(8, HostTensor.DType.I64), INT(4, HostTensor.DType.I32),
        SHORT(2, HostTensor.DType.I16), CHAR(1, HostTensor.DType.I8), BYTE(1, HostTensor.DType.U8),
        BOOL(1, HostTensor.DType.BOOL);

        final int bytes;
        final HostTensor.DType dtype;

        StorageType(int bytes, HostTensor.DType dtype) {
            this.bytes = bytes;
            this.dtype = dtype;
        }

        /** The type for a {@code torch.<Name>Storage} global, or null. */
        static StorageType forClass(String name) {
            return switch (name) {
                case "FloatStorage" -> FLOAT;
                case "HalfStorage" -> HALF;
                case "BFloat16Storage" -> BFLOAT16;
                case "DoubleStorage" -> DOUBLE;
                case "LongStorage" -> LONG;
                case "IntStorage" -> INT;
                case "ShortStorage" -> SHORT;
                case "CharStorage" -> CHAR;
                // An untyped storage holds raw bytes (torch reads it as uint8).
                case "ByteStorage", "UntypedStorage" -> BYTE;
                case "BoolStorage" -> BOOL;
                default -> null;
            };
        }

        /** The type for a dtype global ({@code torch.float16}), used by the typed-storage form. */
        static StorageType forDtype(String name) {
            return switch (name) {
                case "float32", "float" -> FLOAT;
                case "float16", "half" -> HALF;
                case "bfloat16" -> BFLOAT16;
                case "float64", "double" -> DOUBLE;
                case "int64", "long" -> LONG;
                case "int32", "int" -> INT;
                case "int16", "short" -> SHORT;
                case "int8" -> CHAR;
                case "uint8" -> BYTE;
                case "bool" -> BOOL;
                default -> null;
            };
        }
    }

    /** {@code _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])}. */
    private static final IObjectConstructor REBUILD_TENSOR = args -> {
        if (args.length < 4 || !(args[0] instanceof StorageRef s)) {
            throw new PickleException("_rebuild_tensor_v2 called without a storage");
        }
        return new TensorRef(s, toLong(args[1]), toLongs(args[2]), toLongs(args[3]));
    };

    /** {@code _rebuild_parameter(data, requires_grad, hooks[, state])}: a Parameter is its tensor. */
    private static final IObjectConstructor REBUILD_PARAMETER = args -> args[0];

    private static final IObjectConstructor ORDERED_DICT = args -> new LinkedHashMap<String, Object>();

    private TorchPickle() {
    }

    /**
     * Largest {@code data.pkl} read: OpenAI's ViT-L/14 TorchScript pickle is well under a megabyte (the weights
     * are storage records beside it); the limit keeps a hostile archive from filling the heap.
     */
    static final int MAX_PICKLE_BYTES = 64 << 20;

    /** Unpickles one {@code data.pkl}. */
    static Object unpickle(InputStream in) throws IOException {
        byte[] data = in.readNBytes(MAX_PICKLE_BYTES + 1);
        if (data.length > MAX_PICKLE_BYTES) {
            throw new PickleException("data.pkl is larger than " + MAX_PICKLE_BYTES + " bytes, which no checkpoint's is");
        }
        TorchPickle p = new TorchPickle();
        try {
            // in memory: the length checks below compare declared lengths with the bytes that are really left
            return p.load(new java.io.ByteArrayInputStream(data));
        } finally {
            p.close();
        }
    }

    /**
     * Opcodes followed by a length and that many bytes, with the length's size. razorvine allocates the declared
     * length before reading (a 4 GB BINUNICODE in a 10-byte pickle exhausted the heap; found by fuzzing), so the
     * length is checked against the bytes left first.
     */
    private static int lengthBytes(short key) {
        return switch (key) {
            case 'T', 'X', 'B', 0x8b -> 4; // BINSTRING, BINUNICODE, BINBYTES, LONG4
            case 0x8d, 0x8e, 0x96 -> 8; // BINUNICODE8, BINBYTES8, BYTEARRAY8
            default -> 0;
        };
    }

    private void checkDeclaredLength(short key) throws IOException {
        int n = lengthBytes(key);
        if (n == 0 || !(input instanceof java.io.ByteArrayInputStream bytes)) {
            return;
        }
        bytes.mark(0);
        byte[] len = bytes.readNBytes(n);
        bytes.reset();
        if (len.length < n) {
            throw new PickleException("data.pkl ends inside the length of opcode 0x" + Integer.toHexString(key));
        }
        long declared = 0;
        for (int i = n - 1; i >= 0; i--) {
            declared = declared << 8 | (len[i] & 0xff);
        }
        if (n == 4 && (key == 'T' || key == 0x8b)) {
            declared = (int) declared; // signed in the format
        }
        long left = bytes.available() - n;
        if (declared < 0 || declared > left) {
            throw new PickleException("opcode 0x" + Integer.toHexString(key) + " declares " + declared
                    + " bytes, but only " + left + " are left in data.pkl");
        }
    }

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        checkDeclaredLength(key);
        switch (key) {
            case GLOBAL: {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(resolve(module, name));
                return NO_RETURN_VALUE;
            }
            case STACK_GLOBAL: {
                String name = (String) stack.pop();
                String module = (String) stack.pop();
                stack.add(resolve(module, name));
                return NO_RETURN_VALUE;
            }
            case EMPTY_DICT:
                stack.add(new LinkedHashMap<Object, Object>());
                return NO_RETURN_VALUE;
            case DICT: {
                List<Object> items = stack.pop_all_since_marker();
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i + 1 < items.size(); i += 2) {
                    map.put(items.get(i), items.get(i + 1));
                }
                stack.add(map);
                return NO_RETURN_VALUE;
            }
            case SETITEM: {
                Object value = stack.pop();
                Object k = stack.pop();
                putInto(stack.peek(), k, value);
                return NO_RETURN_VALUE;
            }
            case SETITEMS: {
                List<Object> items = stack.pop_all_since_marker();
                Object target = stack.peek();
                for (int i = 0; i + 1 < items.size(); i += 2) {
                    putInto(target, items.get(i), items.get(i + 1));
                }
                return NO_RETURN_VALUE;
            }
            case BUILD: {
                Object state = stack.pop();
                Object target = stack.peek();
                // A TorchScript module's state is the dict of its attributes; any other BUILD (an
                // OrderedDict's _metadata, an opaque object) carries nothing we need.
                if (target instanceof ScriptObject obj && state instanceof Map<?, ?> m) {
                    m.forEach((k, v) -> obj.attributes.put(String.valueOf(k), v));
                }
                return NO_RETURN_VALUE;
            }
            default:
                return super.dispatch(key);
        }
    }

    @SuppressWarnings("unchecked")
    private static void putInto(Object target, Object key, Object value) {
        if (target instanceof Map<?, ?> m) {
            ((Map<Object, Object>) m).put(key, value);
        } else {
            throw new PickleException("SETITEM on a " + (target == null ? "None" : target.getClass().getSimpleName()));
        }
    }

    private static Object resolve(String module, String name) {
        if (module.startsWith("__torch__")) {
            // A TorchScript class: NEWOBJ constructs it, BUILD sets its attributes.
            return (IObjectConstructor) args -> new ScriptObject(module, name);
        }
        if (module.equals("torch._utils")) {
            switch (name) {
                case "_rebuild_tensor_v2", "_rebuild_tensor":
                    return REBUILD_TENSOR;
                case "_rebuild_parameter", "_rebuild_parameter_with_state":
                    return REBUILD_PARAMETER;
                default:
                    break;
            }
        }
        if (module.equals("collections") && name.equals("OrderedDict")) {
            return ORDERED_DICT;
        }
        if (module.equals("torch")) {
            StorageType t = StorageType.forClass(name);
            if (t == null) {
                t = StorageType.forDtype(name);
            }
            if (t != null) {
                return t;
            }
        }
        return new Opaque(module + "." + name);
    }

    /**
     * Persistent ids of storages: {@code ('storage', storage_type, key, location, numel)}. In the
     * typed-storage form of newer torch the type slot holds a dtype global; both resolve to a
     * {@link StorageType}.
     */
    @Override
    protected Object persistentLoad(Object pid) {
        if (!(pid instanceof Object[] t) || t.length < 5 || !"storage".equals(t[0])) {
            throw new PickleException("unsupported persistent id " + describe(pid));
        }
        if (!(t[1] instanceof StorageType type)) {
            throw new PickleException("unsupported storage type " + describe(t[1]));
        }
        return new StorageRef(type, String.valueOf(t[2]), toLong(t[4]));
    }

    private static String describe(Object o) {
        if (o instanceof Object[] a) {
            List<String> parts = new ArrayList<>();
            for (Object x : a) {
                parts.add(describe(x));
            }
            return "(" + String.join(", ", parts) + ")";
        }
        if (o instanceof Opaque op) {
            return op.qualifiedName();
        }
        return String.valueOf(o);
    }

    static long toLong(Object o) {
        if (o instanceof BigInteger b) {
            return b.longValueExact();
        }
        if (o instanceof Number n) {
            return n.longValue();
        }
        throw new PickleException("expected an integer, got " + describe(o));
    }

    static long[] toLongs(Object o) {
        if (o instanceof Object[] a) {
            long[] out = new long[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = toLong(a[i]);
            }
            return out;
        }
        if (o instanceof List<?> l) {
            long[] out = new long[l.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = toLong(l.get(i));
            }
            return out;
        }
        throw new PickleException("expected a tuple of integers, got " + describe(o));
    }
}
