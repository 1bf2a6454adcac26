package org.mvfaedge.trainer.weights;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Builds small PyTorch-style zip archives for the loader's tests (stored entries, like torch). */
final class TorchZipFiles {
    private TorchZipFiles() {
    }

    static void writeStored(Path out, Map<String, byte[]> entries) throws IOException {
        try (OutputStream os = Files.newOutputStream(out); ZipOutputStream zos = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry z = new ZipEntry(e.getKey());
                z.setMethod(ZipEntry.STORED);
                z.setSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                z.setCrc(crc.getValue());
                zos.putNextEntry(z);
                zos.write(e.getValue());
                zos.closeEntry();
            }
        }
    }

    /** Copies an archive, letting {@code edit} replace (or drop, with null) each entry's bytes. */
    static void copyEdited(Path in, Path out, BiFunction<String, byte[], byte[]> edit) throws IOException {
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(in.toFile())) {
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements();) {
                ZipEntry z = en.nextElement();
                try (InputStream is = zip.getInputStream(z)) {
                    byte[] b = edit.apply(z.getName(), is.readAllBytes());
                    if (b != null) {
                        entries.put(z.getName(), b);
                    }
                }
            }
        }
        writeStored(out, entries);
    }

    /** A tiny protocol-2 pickle writer: enough opcodes to spell a torch.save state dict by hand. */
    static final class Pickle {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();

        Pickle op(char c) {
            b.write(c);
            return this;
        }

        Pickle proto() {
            b.write(0x80);
            b.write(2);
            return this;
        }

        Pickle str(String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            b.write('X');
            b.write(u.length & 0xff);
            b.write((u.length >> 8) & 0xff);
            b.write(0);
            b.write(0);
            b.writeBytes(u);
            return this;
        }

        Pickle global(String module, String name) {
            b.write('c');
            b.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickle int1(int v) {
            b.write('K');
            b.write(v);
            return this;
        }

        Pickle ints(int... v) {
            op('(');
            for (int x : v) {
                int1(x);
            }
            return op('t');
        }

        /** {@code _rebuild_tensor_v2(storage(key, numel), offset, size, stride, False, OrderedDict())}. */
        Pickle tensor(String storageClass, String key, int numel, int offset, int[] size, int[] stride) {
            global("torch._utils", "_rebuild_tensor_v2");
            op('(');
            op('(').str("storage").global("torch", storageClass).str(key).str("cpu").int1(numel).op('t');
            op('Q');
            int1(offset).ints(size).ints(stride);
            b.write(0x89);
            global("collections", "OrderedDict").op(')').op('R');
            op('t');
            return op('R');
        }

        byte[] bytes() {
            return b.toByteArray();
        }
    }
}
