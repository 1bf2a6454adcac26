package org.mvfaedge.sdk.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Minimal reader of NumPy {@code .npy} files (version 1-3, little-endian, C order) as the golden
 * fixtures are written. Values are widened to double or float for comparison.
 */
public final class Npy {
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    /** Shape of the array (empty for a scalar). */
    public final long[] shape;
    /** NumPy dtype string, e.g. {@code <f4}. */
    public final String dtype;
    private final double[] values;

    private Npy(long[] shape, String dtype, double[] values) {
        this.shape = shape;
        this.dtype = dtype;
        this.values = values;
    }

    public static Npy read(Path path) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || bytes[0] != (byte) 0x93 || bytes[1] != 'N') {
            throw new IOException("not a .npy file: " + path);
        }
        int major = bytes[6];
        int headerLen;
        int offset;
        if (major == 1) {
            headerLen = buf.getShort(8) & 0xffff;
            offset = 10;
        } else {
            headerLen = buf.getInt(8);
            offset = 12;
        }
        String header = new String(bytes, offset, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IOException("unreadable .npy header in " + path + ": " + header);
        }
        if (f.group(1).equals("True")) {
            throw new IOException("Fortran-order .npy not supported: " + path);
        }
        String dtype = d.group(1);
        long[] shape = Arrays.stream(s.group(1).split(","))
                .map(String::trim).filter(t -> !t.isEmpty()).mapToLong(Long::parseLong).toArray();
        long n = 1;
        for (long v : shape) {
            n *= v;
        }
        double[] values = new double[Math.toIntExact(n)];
        buf.position(offset + headerLen);
        for (int i = 0; i < values.length; i++) {
            switch (dtype) {
                case "<f4": values[i] = buf.getFloat(); break;
                case "<f8": values[i] = buf.getDouble(); break;
                case "<i4": values[i] = buf.getInt(); break;
                case "<i8": values[i] = buf.getLong(); break;
                case "|u1": values[i] = buf.get() & 0xff; break;
                case "|b1": values[i] = buf.get(); break;
                case "<f2": values[i] = org.mvfaedge.sdk.util.Float16.toFloat(buf.getShort()); break;
                default: throw new IOException("unsupported .npy dtype " + dtype + " in " + path);
            }
        }
        return new Npy(shape, dtype, values);
    }

    public int size() {
        return values.length;
    }

    public double[] doubles() {
        return values.clone();
    }

    public float[] floats() {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    public int[] ints() {
        int[] out = new int[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) values[i];
        }
        return out;
    }

    public double scalar() {
        if (values.length != 1) {
            throw new IllegalStateException("not a scalar: shape " + Arrays.toString(shape));
        }
        return values[0];
    }
}
