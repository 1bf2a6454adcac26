package org.mvfaedge.sdk.pkg.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.testing.SignedPackages;

/**
 * OpenSSL as the second implementation of Ed25519 and of the key files: a package signed by OpenSSL
 * ({@code pkeyutl -sign -rawin} over the documented message) verifies here, a signature made here verifies
 * in OpenSSL, key files pass both ways, and the key id is what {@code openssl ... -outform DER | sha256sum}
 * prints. Skipped without openssl on a user's machine; CI (CI=true) installs it and fails without it.
 */
class OpenSslInteropTest {
    @BeforeAll
    static void openssl() {
        boolean present = Files.isExecutable(Path.of("/usr/bin/openssl"));
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI: openssl is missing (.ci/run installs it)");
        }
        Assumptions.assumeTrue(present, "openssl not installed: interop test skipped");
    }

    private static String run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "openssl hung");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + text);
        return text;
    }

    @Test
    void opensslSignatureVerifiesAndOursVerifiesInOpenssl(@TempDir Path tmp) throws Exception {
        run(tmp, "openssl", "genpkey", "-algorithm", "ed25519", "-out", "k.pem");
        run(tmp, "openssl", "pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem");
        String sha = run(tmp, "sh", "-c", "openssl pkey -pubin -in pub.pem -outform DER | sha256sum").split(" ")[0];
        assertEquals(sha, Ed25519Keys.keyId(Ed25519Keys.readPublic(tmp.resolve("pub.pem"))));
        // the private key file OpenSSL wrote gives the same public key through our derivation
        assertEquals(sha, Ed25519Keys.keyId(PackageSigner.publicKeyOf(Ed25519Keys.readPrivate(tmp.resolve("k.pem")))));

        Path pkg = SignedPackages.withExternalData(tmp.resolve("pkg"), 16, 0.5).dir();
        Files.write(tmp.resolve("msg"), CanonicalManifest.signedMessage(Files.readAllBytes(pkg.resolve(ModelPackage.MANIFEST))));
        run(tmp, "openssl", "pkeyutl", "-sign", "-inkey", "k.pem", "-rawin", "-in", "msg", "-out", "sig.bin");
        byte[] sig = Files.readAllBytes(tmp.resolve("sig.bin"));
        Files.write(pkg.resolve(PackageSignature.FILE), new PackageSignature("Ed25519", sha, sig).toJson());
        TrustedKeys trusted = TrustedKeys.read(List.of(tmp.resolve("pub.pem")));
        assertEquals(sha, PackageVerifier.verify(pkg, trusted));

        // the other way: our signer with OpenSSL's key; OpenSSL checks the signature file's bytes
        Files.delete(pkg.resolve(PackageSignature.FILE));
        PackageSignature ours = PackageSigner.sign(pkg, Ed25519Keys.readPrivate(tmp.resolve("k.pem")));
        assertEquals(sha, ours.keyId());
        byte[] fromFile = Base64.getDecoder().decode(new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(pkg.resolve(PackageSignature.FILE).toFile()).path("signature").asText());
        Files.write(tmp.resolve("ours.bin"), fromFile);
        String verified = run(tmp, "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "msg",
                "-sigfile", "ours.bin");
        assertTrue(verified.contains("Signature Verified Successfully"), verified);
    }

    @Test
    void ourKeyFilesReadInOpenssl(@TempDir Path tmp) throws Exception {
        var kp = Ed25519Keys.generate();
        Files.writeString(tmp.resolve("k.pem"), Ed25519Keys.toPem(kp.getPrivate()));
        String pub = run(tmp, "openssl", "pkey", "-in", "k.pem", "-pubout");
        assertEquals(Ed25519Keys.toPem(kp.getPublic()), pub);
    }
}
