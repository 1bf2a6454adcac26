package org.mvfaedge.sdk.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The file operations every module needs, written once: a file written through a temporary sibling and a
 * move, so that no reader (a viewer, a server loading a package, a script polling for results) ever sees half
 * a file, and the deletion of a folder tree. Errors are {@link IOException}s naming the file.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the content of a file to the path it is given (a temporary sibling of the target). */
    @FunctionalInterface
    public interface Writer {
        void write(Path tmp) throws IOException;
    }

    /** Writes {@code bytes} to {@code file} atomically, creating its folder. */
    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, tmp -> Files.write(tmp, bytes));
    }

    /** Writes {@code text} (UTF-8) to {@code file} atomically, creating its folder. */
    public static void writeString(Path file, String text) throws IOException {
        write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code image} as a PNG atomically. */
    public static void writePng(Path file, java.awt.image.RenderedImage image) throws IOException {
        write(file, tmp -> {
            if (!javax.imageio.ImageIO.write(image, "png", tmp.toFile())) {
                throw new IOException("this Java runtime has no PNG writer");
            }
        });
    }

    /**
     * Lets {@code writer} write a temporary sibling of {@code file} (a hidden name in the same folder, so the
     * move stays on one file system), then moves it over {@code file}. The temporary file is created by the
     * writer with the process's default permissions (not {@code Files.createTempFile}'s owner-only ones: the
     * results are often read by another user), and removed if anything fails.
     */
    public static void write(Path file, Writer writer) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            writer.write(tmp);
            moveIntoPlace(tmp, file);
        } catch (IOException e) {
            // the temporary file's name would mislead: name the file the caller asked for
            throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Moves {@code from} over {@code to} atomically where the file system can (readers see the old file or
     * the new one), else replaces it with a plain move.
     */
    public static void moveIntoPlace(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes {@code root} and everything below it; nothing when it does not exist. Links are removed, not followed. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = s.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }
}
