package org.mvfaedge.trainer.weights;

import java.nio.file.Path;

/**
 * A weights file that cannot be used: not a checkpoint of the expected kind, truncated, or missing
 * tensors. The message names the file and what is wrong, so the user knows what to fix.
 */
public class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public CheckpointException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
