package org.mvfaedge.sdk;

import java.nio.file.Path;

/**
 * A model package that cannot be used: missing or changed files, a manifest with missing fields, or a
 * format this SDK does not know. The message names the package and what to fix.
 */
public class ModelPackageException extends MvfaException {
    private static final long serialVersionUID = 1L;

    public ModelPackageException(Path pkg, String problem) {
        super("model package " + pkg + ": " + problem);
    }

    public ModelPackageException(Path pkg, String problem, Throwable cause) {
        super("model package " + pkg + ": " + problem, cause);
    }
}
