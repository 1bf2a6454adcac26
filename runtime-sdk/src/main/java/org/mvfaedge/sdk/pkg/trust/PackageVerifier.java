package org.mvfaedge.sdk.pkg.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mvfaedge.sdk.ModelPackageException;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.pkg.Sha256;
import org.mvfaedge.sdk.pkg.trust.PackageTrustException.Reason;

/**
 * Checks that one of the trusted keys signed a package as it is now: the signature over the canonical
 * manifest ({@link CanonicalManifest}), then every file of the folder: each must be named in the
 * manifest (or be the manifest or its signature) and have the sha256 recorded there. A file added to
 * the folder is refused too: nothing may sit in an approved package that the approval does not cover.
 * Order of the checks: the signature first (cheap, and it makes the hashes below trustworthy), then the
 * folder's listing, then the hashes (the expensive part, gigabytes for a ViT-L/14 package).
 */
public final class PackageVerifier {
    /** Manifests are a few kilobytes; a limit keeps a hostile one from filling the heap. */
    static final long MAX_MANIFEST_BYTES = 16L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private PackageVerifier() {
    }

    /**
     * Verifies {@code dir} against {@code keys} (which must not be empty).
     *
     * @return the id of the key that signed it
     * @throws PackageTrustException with the reason it is refused
     * @throws ModelPackageException when the folder or its manifest cannot be read at all
     */
    public static String verify(Path dir, TrustedKeys keys) {
        if (keys == null || keys.isEmpty()) {
            throw new IllegalArgumentException("no trusted key to verify with");
        }
        byte[] manifest = readManifest(dir);
        Path sigFile = dir.resolve(PackageSignature.FILE);
        if (!Files.exists(sigFile, LinkOption.NOFOLLOW_LINKS)) {
            throw new PackageTrustException(dir, Reason.UNSIGNED, "the package has no " + PackageSignature.FILE
                    + ", and trusted keys are configured: sign it with `mvfa-edge sign --key PRIVATE.pem --model "
                    + dir + "` (the key whose public half is trusted here)");
        }
        PackageSignature sig;
        try {
            if (!Files.isRegularFile(sigFile) || Files.size(sigFile) > PackageSignature.MAX_BYTES) {
                throw new IllegalArgumentException("it is not a small regular file");
            }
            sig = PackageSignature.parse(Files.readAllBytes(sigFile));
        } catch (IOException | IllegalArgumentException e) {
            throw new PackageTrustException(dir, Reason.MALFORMED_SIGNATURE, PackageSignature.FILE + " is not a valid"
                    + " signature file: " + e.getMessage() + " (sign the package again)", e);
        }
        PublicKey key = keys.get(sig.keyId());
        if (key == null) {
            throw new PackageTrustException(dir, Reason.UNTRUSTED_KEY, "it is signed by key " + sig.keyId()
                    + ", which is not among the trusted keys " + keys.ids() + " (add that key's public PEM with"
                    + " --trusted-key, or have the package signed with a trusted key)");
        }
        byte[] message;
        try {
            message = CanonicalManifest.signedMessage(manifest);
        } catch (IllegalArgumentException e) {
            throw new PackageTrustException(dir, Reason.MANIFEST_CHANGED, ModelPackage.MANIFEST
                    + " cannot have been signed as it is: " + e.getMessage(), e);
        }
        boolean ok;
        try {
            Signature v = Signature.getInstance(Ed25519Keys.ALGORITHM);
            v.initVerify(key);
            v.update(message);
            ok = v.verify(sig.signature());
        } catch (GeneralSecurityException e) {
            ok = false;
        }
        if (!ok) {
            throw new PackageTrustException(dir, Reason.MANIFEST_CHANGED, ModelPackage.MANIFEST
                    + " does not match its signature: it was changed after signing (restore it, or re-export and sign"
                    + " the package again)");
        }
        Map<String, String> covered = coveredFiles(dir, manifest);
        checkListing(dir, covered);
        for (Map.Entry<String, String> f : covered.entrySet()) {
            String actual;
            try {
                actual = Sha256.of(dir.resolve(f.getKey()));
            } catch (NoSuchFileException e) {
                throw new PackageTrustException(dir, Reason.FILE_CHANGED, f.getKey() + " is missing from the signed"
                        + " package (restore it)", e);
            } catch (IOException e) {
                throw new ModelPackageException(dir, "cannot read " + f.getKey() + ": " + e.getMessage(), e);
            }
            if (!actual.equalsIgnoreCase(f.getValue())) {
                throw new PackageTrustException(dir, Reason.FILE_CHANGED, f.getKey() + " differs from the file that was"
                        + " signed (its sha256 is not the manifest's): restore it, or re-export and sign the package again");
            }
        }
        return sig.keyId();
    }

    private static byte[] readManifest(Path dir) {
        Path f = dir.resolve(ModelPackage.MANIFEST);
        try {
            if (!Files.isRegularFile(f)) {
                throw new ModelPackageException(dir, "no " + ModelPackage.MANIFEST + " (is this a folder written by ./mvfa export?)");
            }
            if (Files.size(f) > MAX_MANIFEST_BYTES) {
                throw new ModelPackageException(dir, ModelPackage.MANIFEST + " is larger than " + MAX_MANIFEST_BYTES
                        + " bytes, which no exported manifest is");
            }
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new ModelPackageException(dir, "cannot read " + ModelPackage.MANIFEST + ": " + e.getMessage(), e);
        }
    }

    /** File name -> sha256 of each file the (signed) manifest names. */
    static Map<String, String> coveredFiles(Path dir, byte[] manifest) {
        JsonNode root;
        try {
            root = JSON.readTree(manifest);
        } catch (IOException e) {
            throw new ModelPackageException(dir, ModelPackage.MANIFEST + " is not valid JSON: " + e.getMessage(), e);
        }
        Map<String, String> files = new LinkedHashMap<>();
        JsonNode model = root == null ? null : root.path("model");
        if (model == null || !model.isObject()) {
            throw new ModelPackageException(dir, ModelPackage.MANIFEST + " has no model object naming the package's files");
        }
        put(dir, files, model.path("file"), model.path("sha256"));
        if (!model.path("external_data").isNull() && !model.path("external_data").isMissingNode()) {
            put(dir, files, model.path("external_data"), model.path("external_data_sha256"));
        }
        return files;
    }

    private static void put(Path dir, Map<String, String> files, JsonNode name, JsonNode sha) {
        String n = name.asText("");
        if (!name.isTextual() || n.isEmpty() || n.contains("/") || n.contains("\\") || n.equals(".") || n.equals("..")
                || n.equals(ModelPackage.MANIFEST) || n.equals(PackageSignature.FILE)) {
            throw new ModelPackageException(dir, ModelPackage.MANIFEST + " names a file '" + n
                    + "' that is not a plain file name in the package");
        }
        if (!sha.isTextual() || !sha.asText().matches("[0-9a-fA-F]{64}")) {
            throw new ModelPackageException(dir, ModelPackage.MANIFEST + " lacks the sha256 of " + n);
        }
        files.put(n, sha.asText());
    }

    private static void checkListing(Path dir, Map<String, String> covered) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.equals(ModelPackage.MANIFEST) || name.equals(PackageSignature.FILE) || covered.containsKey(name)) {
                    continue;
                }
                throw new PackageTrustException(dir, Reason.UNCOVERED_FILE, "the package holds '" + name
                        + "', which the signed manifest does not cover (remove it: a signed package holds only "
                        + String.join(", ", covered.keySet()) + ", " + ModelPackage.MANIFEST + " and "
                        + PackageSignature.FILE + ")");
            }
        } catch (IOException e) {
            throw new ModelPackageException(dir, "cannot list the package folder: " + e.getMessage(), e);
        }
    }

    /** Used by the signer: the same listing and hash checks, before a signature vouches for them. */
    static void checkFiles(Path dir, byte[] manifest) {
        Map<String, String> covered = coveredFiles(dir, manifest);
        checkListing(dir, covered);
        for (Map.Entry<String, String> f : covered.entrySet()) {
            try (InputStream ignored = Files.newInputStream(dir.resolve(f.getKey()))) {
                // existence and readability; the hash is ModelPackage.open's check
            } catch (IOException e) {
                throw new ModelPackageException(dir, "cannot read " + f.getKey() + ": " + e.getMessage(), e);
            }
        }
    }
}
