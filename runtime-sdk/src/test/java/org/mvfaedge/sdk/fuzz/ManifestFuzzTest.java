package org.mvfaedge.sdk.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import org.junit.jupiter.api.AfterAll;
import org.mvfaedge.sdk.ModelPackageException;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.pkg.Sha256;
import org.mvfaedge.sdk.pkg.trust.CanonicalManifest;
import org.mvfaedge.sdk.pkg.trust.Ed25519Keys;
import org.mvfaedge.sdk.pkg.trust.PackageSignature;
import org.mvfaedge.sdk.pkg.trust.PackageVerifier;
import org.mvfaedge.sdk.pkg.trust.TrustedKeys;

/**
 * The package opener's manifest handling with an outside {@code manifest.json}: {@link ModelPackage#open}
 * (format, fields, file names, hashes), the signature verifier and the canonical form. Only
 * {@link ModelPackageException} (including the trust subclass) may escape the opener and the verifier, and
 * only {@link IllegalArgumentException} the canonicaliser and the signature file parser (their documented
 * refusals). The folder holds a fixed {@code model.onnx} whose sha256 the seeds name, so the fuzzer reaches
 * the checks after the hash.
 */
class ManifestFuzzTest {
    static final byte[] MODEL = {8, 7, 18, 4, 't', 'e', 's', 't'};
    static final String MODEL_SHA256 = Sha256.of(MODEL);
    private static final Path DIR;
    private static final TrustedKeys KEYS;

    static {
        try {
            DIR = Files.createTempDirectory("manifest-fuzz");
            Files.write(DIR.resolve("model.onnx"), MODEL);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        KeyPair kp = Ed25519Keys.generate();
        KEYS = TrustedKeys.of(kp.getPublic());
    }

    @FuzzTest
    void open(byte[] manifest) throws IOException {
        Files.write(DIR.resolve(ModelPackage.MANIFEST), manifest);
        try {
            ModelPackage.open(DIR);
        } catch (ModelPackageException expected) {
            // the typed refusal
        }
        try {
            CanonicalManifest.signedMessage(manifest);
        } catch (IllegalArgumentException expected) {
            // not canonicalisable: a verifier refuses it as MANIFEST_CHANGED
        }
        // the signature file parser takes the same bytes: both are small JSON files from the folder
        try {
            PackageSignature.parse(manifest);
        } catch (IllegalArgumentException expected) {
            // malformed signature file
        }
        Files.write(DIR.resolve(PackageSignature.FILE), manifest);
        try {
            PackageVerifier.verify(DIR, KEYS);
        } catch (ModelPackageException expected) {
            // the typed refusal (trust reasons included)
        }
    }

    @AfterAll
    static void cleanUp() throws IOException {
        try (var s = Files.list(DIR)) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(DIR);
    }
}
