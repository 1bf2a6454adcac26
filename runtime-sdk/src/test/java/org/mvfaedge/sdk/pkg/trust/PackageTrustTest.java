package org.mvfaedge.sdk.pkg.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mvfaedge.sdk.AnomalyDetector;
import org.mvfaedge.sdk.Detection;
import org.mvfaedge.sdk.DetectorOptions;
import org.mvfaedge.sdk.ExecutionProvider;
import org.mvfaedge.sdk.pkg.ModelPackage;
import org.mvfaedge.sdk.pkg.trust.PackageTrustException.Reason;
import org.mvfaedge.sdk.testing.SignedPackages;

/** Signing and verification of packages: each tampering the issue names is refused with its own reason. */
class PackageTrustTest {
    static KeyPair owner;
    static KeyPair stranger;

    @BeforeAll
    static void keys() {
        owner = Ed25519Keys.generate();
        stranger = Ed25519Keys.generate();
    }

    private static Path signedPackage(Path tmp) throws Exception {
        Path pkg = SignedPackages.withExternalData(tmp.resolve("pkg"), 16, 0.5).dir();
        PackageSigner.sign(pkg, owner.getPrivate());
        return pkg;
    }

    private static Reason refusal(Path pkg) {
        return assertThrows(PackageTrustException.class, () -> ModelPackage.open(pkg, TrustedKeys.of(owner.getPublic())))
                .reason();
    }

    @Test
    void canonicalFormIsTheDocumentedOne() {
        String in = "{ \"b\" : [1, 2.50, \"x\\n\\u0001\\/\"],\n \"a\": {\"d\": true, \"c\": null}, \"\u00e9\": 1e2, \"n\": -0.0 }";
        String expected = "{\"a\":{\"c\":null,\"d\":true},\"b\":[1,2.5,\"x\\n\\u0001/\"],\"n\":0,\"\u00e9\":100}";
        assertEquals(expected, new String(CanonicalManifest.canonicalJson(in.getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8));
        byte[] msg = CanonicalManifest.signedMessage("{\"z\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8));
        assertEquals("mvfa-edge package manifest v1\n{\"a\":2,\"z\":1}", new String(msg, StandardCharsets.UTF_8));
        // two readers could take either value of a repeated key: refused
        assertThrows(IllegalArgumentException.class,
                () -> CanonicalManifest.canonicalJson("{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8)));
        // an exponent whose plain form would be a billion digits long
        assertThrows(IllegalArgumentException.class,
                () -> CanonicalManifest.canonicalJson("{\"a\":1e999999999}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void signedPackageOpensAndScoresAsUnsigned(@TempDir Path tmp) throws Exception {
        Path pkg = signedPackage(tmp);
        assertTrue(Files.isRegularFile(pkg.resolve(SignedPackages.DATA_FILE)), "the package has external data");
        assertEquals(Ed25519Keys.keyId(owner.getPublic()), PackageVerifier.verify(pkg, TrustedKeys.of(owner.getPublic())));
        // a second, unrelated trusted key does not stop the owner's signature from counting
        ModelPackage.open(pkg, TrustedKeys.of(stranger.getPublic(), owner.getPublic()));
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(4, 4, 8, 8);
        g.dispose();
        DetectorOptions opts = DetectorOptions.builder().providers(ExecutionProvider.CPU)
                .trustedKeys(TrustedKeys.of(owner.getPublic())).build();
        try (AnomalyDetector d = AnomalyDetector.open(pkg, opts)) {
            Detection det = d.detect(img);
            // zero_score = max of the channel mean of a white square: 1 (the toy's hand-computable output)
            assertEquals(1.0, det.score(), 1e-5);
        }
    }

    @Test
    void reformattingTheManifestKeepsTheSignature(@TempDir Path tmp) throws Exception {
        Path pkg = signedPackage(tmp);
        Path mf = pkg.resolve(ModelPackage.MANIFEST);
        String compact = new com.fasterxml.jackson.databind.ObjectMapper().readTree(mf.toFile()).toString();
        Files.writeString(mf, compact);
        ModelPackage.open(pkg, TrustedKeys.of(owner.getPublic()));
    }

    @Test
    void eachTamperingIsRefusedWithItsReason(@TempDir Path tmp) throws Exception {
        Path good = signedPackage(tmp);

        Path unsigned = SignedPackages.copy(good, tmp.resolve("unsigned"));
        Files.delete(unsigned.resolve(PackageSignature.FILE));
        assertEquals(Reason.UNSIGNED, refusal(unsigned));
        ModelPackage.open(unsigned); // without trusted keys: as before signing existed
        ModelPackage.open(unsigned, TrustedKeys.none());

        Path other = SignedPackages.copy(good, tmp.resolve("other"));
        PackageSigner.sign(other, stranger.getPrivate());
        PackageTrustException e = assertThrows(PackageTrustException.class,
                () -> ModelPackage.open(other, TrustedKeys.of(owner.getPublic())));
        assertEquals(Reason.UNTRUSTED_KEY, e.reason());
        assertTrue(e.getMessage().contains(Ed25519Keys.keyId(stranger.getPublic())), e.getMessage());

        // the threshold raised from 0.5 to 0.6: one byte of the manifest
        Path threshold = SignedPackages.copy(good, tmp.resolve("threshold"));
        Path mf = threshold.resolve(ModelPackage.MANIFEST);
        String text = Files.readString(mf);
        assertTrue(text.contains("\"threshold\" : 0.5,"), "the manifest's threshold as written");
        Files.writeString(mf, text.replace("\"threshold\" : 0.5,", "\"threshold\" : 0.6,"));
        assertEquals(Reason.MANIFEST_CHANGED, refusal(threshold));
        ModelPackage.open(threshold); // the sha256 sums alone cannot see this change

        // every single byte of the manifest that matters: flip the last byte of the model's sha256
        Path hash = SignedPackages.copy(good, tmp.resolve("hash"));
        String h = Files.readString(hash.resolve(ModelPackage.MANIFEST));
        int at = h.indexOf("\"sha256\" : \"") + 12 + 63;
        Files.writeString(hash.resolve(ModelPackage.MANIFEST), h.substring(0, at) + (h.charAt(at) == '0' ? '1' : '0')
                + h.substring(at + 1));
        assertEquals(Reason.MANIFEST_CHANGED, refusal(hash));

        Path model = SignedPackages.copy(good, tmp.resolve("model"));
        SignedPackages.flipByte(model.resolve("model.onnx"), -1);
        assertEquals(Reason.FILE_CHANGED, refusal(model));

        Path data = SignedPackages.copy(good, tmp.resolve("data"));
        SignedPackages.flipByte(data.resolve(SignedPackages.DATA_FILE), 5);
        assertEquals(Reason.FILE_CHANGED, refusal(data));

        Path extra = SignedPackages.copy(good, tmp.resolve("extra"));
        Files.writeString(extra.resolve("calibration-override.json"), "{}");
        assertEquals(Reason.UNCOVERED_FILE, refusal(extra));

        Path garbled = SignedPackages.copy(good, tmp.resolve("garbled"));
        Files.writeString(garbled.resolve(PackageSignature.FILE), "{\"format\":\"mvfa-edge-package-signature\"}");
        assertEquals(Reason.MALFORMED_SIGNATURE, refusal(garbled));

        // and the untouched package still opens
        ModelPackage.open(good, TrustedKeys.of(owner.getPublic()));
    }

    @Test
    void signerRefusesADamagedPackage(@TempDir Path tmp) throws Exception {
        Path pkg = SignedPackages.withExternalData(tmp.resolve("pkg"), 16, 0.5).dir();
        SignedPackages.flipByte(pkg.resolve(SignedPackages.DATA_FILE), 5);
        assertThrows(org.mvfaedge.sdk.ModelPackageException.class, () -> PackageSigner.sign(pkg, owner.getPrivate()));
        assertTrue(!Files.exists(pkg.resolve(PackageSignature.FILE)), "no signature written for a damaged package");
    }

    @Test
    void pemFilesRoundTripAndDerivedPublicKeyMatches(@TempDir Path tmp) throws Exception {
        Path priv = tmp.resolve("k.pem");
        Path pub = tmp.resolve("k.pub.pem");
        Files.writeString(priv, Ed25519Keys.toPem(owner.getPrivate()));
        Files.writeString(pub, Ed25519Keys.toPem(owner.getPublic()));
        assertArrayEquals(owner.getPublic().getEncoded(), Ed25519Keys.readPublic(pub).getEncoded());
        assertArrayEquals(owner.getPublic().getEncoded(), PackageSigner.publicKeyOf(Ed25519Keys.readPrivate(priv)).getEncoded());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ed25519Keys.readPublic(priv));
        assertTrue(e.getMessage().contains("private key"), e.getMessage());
    }
}
