package org.mvfaedge.server.model;

import io.micronaut.context.exceptions.ConfigurationException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.mvfaedge.sdk.ModelPackageException;
import org.mvfaedge.sdk.pkg.trust.PackageVerifier;
import org.mvfaedge.sdk.pkg.trust.TrustedKeys;
import org.mvfaedge.server.config.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The server's side of package signatures: reading {@code mvfa.trusted-keys} and the check at start. */
final class PackageTrust {
    private static final Logger LOG = LoggerFactory.getLogger(PackageTrust.class);

    private PackageTrust() {
    }

    /** The configured keys; a key file that cannot be read stops the start, naming it. */
    static TrustedKeys keys(ServerSettings settings) {
        List<Path> files = settings.getTrustedKeys().stream().map(Path::of).toList();
        if (files.isEmpty()) {
            // once per server start: the registry is a singleton
            LOG.warn("model packages are not verified: no trusted key is configured (mvfa.trusted-keys,"
                    + " MVFA_TRUSTED_KEYS or serve --trusted-key), so any package in the folder is served;"
                    + " sign packages with `mvfa-edge sign` and configure the public key to refuse others");
            return TrustedKeys.none();
        }
        try {
            TrustedKeys keys = TrustedKeys.read(files);
            LOG.info("model packages must be signed by one of {} trusted key(s): {}", keys.ids().size(), keys.ids());
            return keys;
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigurationException("mvfa.trusted-keys: " + (e instanceof java.nio.file.NoSuchFileException n
                    ? "no such key file " + n.getFile() : e.getMessage())
                    + " (give Ed25519 public key PEM files, as mvfa-edge keygen writes them)", e);
        }
    }

    /** Verifies a package configured at start; a refused one stops the start with its reason. */
    static void checkAtStart(TrustedKeys keys, Path pkg) {
        if (keys.isEmpty() || !java.nio.file.Files.isDirectory(pkg)) {
            return; // no keys, or no folder: the registry's own check names a missing folder
        }
        try {
            PackageVerifier.verify(pkg, keys);
        } catch (ModelPackageException e) {
            throw new ConfigurationException("Model package " + pkg + " cannot be served: " + e.getMessage(), e);
        }
    }
}
