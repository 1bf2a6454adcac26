package org.mvfaedge.trainer.text;

import java.nio.file.Path;

/**
 * A prompt configuration ({@code prompts.json} or a file of extra objects) that cannot be used:
 * missing, not JSON, or with a field missing or of the wrong kind. The message names the file and
 * the field.
 */
public class PromptConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PromptConfigException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public PromptConfigException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }

    /** A problem with a configuration built programmatically. */
    public PromptConfigException(String problem) {
        super(problem);
    }
}
