package org.mvfaedge.trainer.weights;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression tests of the fuzzing findings in the checkpoint reader (PickleFuzzTest): each hostile
 * {@code data.pkl} is a {@link CheckpointException} naming the problem, not an out-of-memory error or an
 * index exception; the default test heap (4 GB) is far below what the declared lengths would have taken.
 */
class PickleFindingsTest {
    private static CheckpointException read(Path tmp, byte[] pickle) throws Exception {
        Path f = tmp.resolve("c.pth");
        Files.write(f, PickleFuzzTest.archive(pickle));
        return assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(f));
    }

    @Test
    void setItemsWithoutMarkIsRefused(@TempDir Path tmp) throws Exception {
        // PROTO 2, EMPTY_DICT, BINPUT 0, BINUNICODE 'a', BININT1 1, SETITEMS (no MARK before it), STOP
        CheckpointException e = read(tmp, new byte[] {(byte) 0x80, 2, '}', 'q', 0, 'X', 1, 0, 0, 0, 'a', 'K', 1, 'u', '.'});
        assertTrue(e.getMessage().contains("cannot be unpickled"), e.getMessage());
    }

    @Test
    void stringLengthsBeyondTheFileAreRefusedBeforeAllocation(@TempDir Path tmp) throws Exception {
        // BINUNICODE declaring 4 GB - 1, BINBYTES declaring 2 GB - 1, BINUNICODE8 declaring 2^62
        byte[][] pickles = {
            {(byte) 0x80, 2, 'X', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 'a', 'b', 'c', '.'},
            {(byte) 0x80, 3, 'B', (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 'a', 'b', 'c', '.'},
            {(byte) 0x80, 4, (byte) 0x8d, 0, 0, 0, 0, 0, 0, 0, 0x40, 'a', '.'},
        };
        for (byte[] p : pickles) {
            CheckpointException e = read(tmp, p);
            assertTrue(e.getMessage().contains("are left in data.pkl"), e.getMessage());
        }
    }

    @Test
    void aLengthThatFitsStillReads(@TempDir Path tmp) throws Exception {
        // {'a': 'bc'}: strings of exactly the bytes left are read; a dict without tensors gives no tensor
        Path f = tmp.resolve("ok.pth");
        Files.write(f, PickleFuzzTest.archive(new byte[] {(byte) 0x80, 2, '}', 'X', 1, 0, 0, 0, 'a', 'X', 2, 0, 0, 0, 'b',
            'c', 's', '.'}));
        org.junit.jupiter.api.Assertions.assertEquals(0, TorchCheckpoint.read(f).size());
    }
}
