package org.mvfaedge.trainer.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** How a weights file is stored, decided from its first bytes (never from its extension). */
public enum CheckpointFormat {
    /** PyTorch's zip format: {@code torch.save} (since 1.6) and TorchScript archives. */
    TORCH_ZIP,
    /** safetensors: an 8-byte little-endian header length, then a JSON object. */
    SAFETENSORS,
    /** PyTorch's legacy (pre-1.6) pickle stream, which this project does not read. */
    TORCH_LEGACY,
    /** Anything else. */
    UNKNOWN;

    /** Reads the first bytes of the file to tell its format. */
    public static CheckpointFormat detect(Path file) {
        byte[] head = new byte[9];
        int n;
        long size;
        try (InputStream in = Files.newInputStream(file)) {
            size = Files.size(file);
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return TORCH_ZIP;
        }
        if (n == 9) {
            long headerLen = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLen >= 2 && headerLen <= size - 8 && head[8] == '{') {
                return SAFETENSORS;
            }
        }
        // torch.save before 1.6 starts a protocol-2 pickle of its magic number.
        if (n >= 2 && (head[0] & 0xff) == 0x80 && head[1] == 2) {
            return TORCH_LEGACY;
        }
        return UNKNOWN;
    }
}
