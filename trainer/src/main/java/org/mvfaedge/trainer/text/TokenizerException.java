package org.mvfaedge.trainer.text;

import java.nio.file.Path;

/**
 * The tokenizer's data cannot be used: the merges file is missing, not gzip or text, or holds a
 * line that is not a pair of symbols. The message names the file and what is wrong.
 */
public class TokenizerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TokenizerException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public TokenizerException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }

    /** A problem with merges or special tokens given programmatically (no file involved). */
    public TokenizerException(String problem) {
        super(problem);
    }
}
