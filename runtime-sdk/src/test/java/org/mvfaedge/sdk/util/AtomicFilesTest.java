package org.mvfaedge.sdk.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path tmp;

    private List<Path> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void writesCreatesFoldersAndReplaces() throws IOException {
        Path f = tmp.resolve("a/b/result.json");
        AtomicFiles.writeString(f, "first");
        assertEquals("first", Files.readString(f));
        byte[] second = {1, 2, 3, (byte) 0xff};
        AtomicFiles.write(f, second);
        assertArrayEquals(second, Files.readAllBytes(f));
        assertEquals(List.of(f), listing(f.getParent()), "no temporary file is left beside the result");
    }

    /** A writer that fails half-way leaves the old file as it was, no temporary file, and names the target. */
    @Test
    void aFailedWriteLeavesTheOldFile() throws IOException {
        Path f = tmp.resolve("report.html");
        AtomicFiles.writeString(f, "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, t -> {
            Files.writeString(t, "half of the new one");
            throw new IOException("disk full");
        }));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("disk full"), e.getMessage());
        assertEquals("old", Files.readString(f, StandardCharsets.UTF_8));
        assertEquals(List.of(f), listing(tmp));
    }

    @Test
    void deleteTreeRemovesEverythingButDoesNotFollowLinks() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("keep.txt"), "keep");
        Path root = tmp.resolve("tree");
        Files.createDirectories(root.resolve("x/y/z"));
        Files.writeString(root.resolve("x/y/z/f.bin"), "f");
        Files.writeString(root.resolve("top.txt"), "t");
        Files.createSymbolicLink(root.resolve("x/link"), outside);
        AtomicFiles.deleteTree(root);
        assertFalse(Files.exists(root));
        assertEquals("keep", Files.readString(outside.resolve("keep.txt")), "the link's target is not emptied");
        AtomicFiles.deleteTree(root); // absent: nothing to do, no error
    }
}
