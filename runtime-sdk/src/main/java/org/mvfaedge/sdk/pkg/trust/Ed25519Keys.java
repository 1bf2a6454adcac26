package org.mvfaedge.sdk.pkg.trust;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import org.mvfaedge.sdk.pkg.Sha256;

/**
 * Ed25519 keys in the PEM files OpenSSL reads and writes: {@code PRIVATE KEY} (PKCS#8) and
 * {@code PUBLIC KEY} (X.509 SubjectPublicKeyInfo). A key's id is the sha256 (hex) of its public key's
 * DER encoding, so {@code openssl pkey -pubin -in pub.pem -outform DER | sha256sum} prints it.
 */
public final class Ed25519Keys {
    public static final String ALGORITHM = "Ed25519";
    /** PEM files are small; a larger one is not a key (and is not read whole). */
    private static final long MAX_PEM_BYTES = 64 * 1024;

    private Ed25519Keys() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no Ed25519 (Java 15+ has it)", e);
        }
    }

    /** The key id: lower-case hex sha256 of the public key's DER (SubjectPublicKeyInfo). */
    public static String keyId(PublicKey key) {
        return Sha256.of(key.getEncoded());
    }

    public static String toPem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    public static String toPem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    /** Reads an Ed25519 public key PEM; the message of an {@link IllegalArgumentException} names the file. */
    public static PublicKey readPublic(Path pem) throws IOException {
        byte[] der = der(pem, "PUBLIC KEY");
        try {
            PublicKey k = KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
            return k;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException(pem + " is not an Ed25519 public key (make one with `mvfa-edge keygen`"
                    + " or `openssl pkey -in private.pem -pubout`)", e);
        }
    }

    /** Reads an Ed25519 private key PEM (PKCS#8, unencrypted). */
    public static PrivateKey readPrivate(Path pem) throws IOException {
        byte[] der = der(pem, "PRIVATE KEY");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException(pem + " is not an unencrypted Ed25519 private key (PKCS#8 PEM, as"
                    + " `mvfa-edge keygen` or `openssl genpkey -algorithm ed25519` write)", e);
        }
    }

    private static byte[] der(Path pem, String label) throws IOException {
        if (Files.size(pem) > MAX_PEM_BYTES) {
            throw new IllegalArgumentException(pem + " is too large to be a key file");
        }
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int b = text.indexOf(begin);
        int e = b < 0 ? -1 : text.indexOf(end, b);
        if (b < 0 || e < 0) {
            String other = text.contains("PRIVATE KEY") && label.equals("PUBLIC KEY")
                    ? " (this is a private key: give the public one, which keygen writes beside it)"
                    : text.contains("ENCRYPTED PRIVATE KEY") ? " (an encrypted key: give an unencrypted PKCS#8 key)" : "";
            throw new IllegalArgumentException(pem + " holds no '" + begin + "' block" + other);
        }
        String body = text.substring(b + begin.length(), e).replaceAll("\\s", "");
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException x) {
            throw new IllegalArgumentException(pem + ": the PEM block is not base64", x);
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
