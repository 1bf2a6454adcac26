package org.mvfaedge.sdk.pkg.trust;

import java.nio.file.Path;
import org.mvfaedge.sdk.ModelPackageException;

/**
 * A model package refused because trusted keys are configured and its signature does not prove that
 * one of them approved exactly these files. {@link #reason()} says which check failed; the message
 * says what to do about it.
 */
public final class PackageTrustException extends ModelPackageException {
    private static final long serialVersionUID = 1L;

    /** Which check refused the package. */
    public enum Reason {
        /** No {@code manifest.sig} in the package. */
        UNSIGNED,
        /** Signed, but by a key that is not among the trusted ones. */
        UNTRUSTED_KEY,
        /** The signature does not match the manifest: the manifest changed after signing. */
        MANIFEST_CHANGED,
        /** A file named in the manifest no longer has the sha256 recorded there. */
        FILE_CHANGED,
        /** The package folder holds a file the manifest (and so the signature) does not cover. */
        UNCOVERED_FILE,
        /** {@code manifest.sig} cannot be read as a signature of this format. */
        MALFORMED_SIGNATURE
    }

    private final Reason reason;

    public PackageTrustException(Path pkg, Reason reason, String problem) {
        super(pkg, "signature check failed (" + reason + "): " + problem);
        this.reason = reason;
    }

    public PackageTrustException(Path pkg, Reason reason, String problem, Throwable cause) {
        super(pkg, "signature check failed (" + reason + "): " + problem, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
