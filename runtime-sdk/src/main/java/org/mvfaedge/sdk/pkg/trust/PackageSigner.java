package org.mvfaedge.sdk.pkg.trust;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import org.mvfaedge.sdk.pkg.ModelPackage;

/**
 * Signs a model package: checks it first exactly as an open would (format, fields, every file's sha256,
 * no uncovered file), so a signature never vouches for a damaged package, then writes
 * {@code manifest.sig} through a temporary file moved into place.
 */
public final class PackageSigner {
    private PackageSigner() {
    }

    /**
     * Signs {@code dir} with {@code key}, replacing any earlier signature.
     *
     * @return the signature written
     */
    public static PackageSignature sign(Path dir, PrivateKey key) throws IOException {
        ModelPackage.open(dir); // sha256 of every file, manifest fields: refuses what a verifier would refuse
        byte[] manifest = Files.readAllBytes(dir.resolve(ModelPackage.MANIFEST));
        PackageVerifier.checkFiles(dir, manifest);
        byte[] message;
        try {
            message = CanonicalManifest.signedMessage(manifest);
        } catch (IllegalArgumentException e) {
            throw new org.mvfaedge.sdk.ModelPackageException(dir, ModelPackage.MANIFEST + " cannot be signed: " + e.getMessage(), e);
        }
        byte[] sig = signMessage(message, key);
        PackageSignature s = new PackageSignature(Ed25519Keys.ALGORITHM, Ed25519Keys.keyId(publicKeyOf(key)), sig);
        Path tmp = dir.resolve("." + PackageSignature.FILE + ".tmp-" + Long.toHexString(System.nanoTime()));
        try {
            Files.write(tmp, s.toJson());
            try {
                Files.move(tmp, dir.resolve(PackageSignature.FILE), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(PackageSignature.FILE), StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return s;
    }

    static byte[] signMessage(byte[] message, PrivateKey key) {
        try {
            Signature s = Signature.getInstance(Ed25519Keys.ALGORITHM);
            s.initSign(key);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this key (an Ed25519 private key is needed): " + e.getMessage(), e);
        }
    }

    /**
     * The public half of an Ed25519 private key, for its id. A PKCS#8 file (OpenSSL's included) often
     * holds only the 32-byte private seed, and the JDK has no call that derives the public key from it; its
     * key-pair generator does exactly RFC 8032's derivation from 32 random bytes, so it is fed the seed as
     * its "randomness". The result is checked: a signature of the private key must verify under it.
     */
    public static PublicKey publicKeyOf(PrivateKey key) {
        if (!(key instanceof EdECPrivateKey ed) || ed.getBytes().isEmpty()) {
            throw new IllegalArgumentException("not an Ed25519 private key");
        }
        byte[] seed = ed.getBytes().get();
        try {
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance(Ed25519Keys.ALGORITHM);
            g.initialize(NamedParameterSpec.ED25519, new FixedRandom(seed));
            PublicKey pub = g.generateKeyPair().getPublic();
            // check that the derivation matched: a signature by the private key verifies under it
            byte[] probe = signMessage(new byte[] {1, 2, 3}, key);
            Signature v = Signature.getInstance(Ed25519Keys.ALGORITHM);
            v.initVerify(pub);
            v.update(new byte[] {1, 2, 3});
            if (!v.verify(probe)) {
                throw new IllegalStateException("the public key derived from the private key does not verify its signature");
            }
            return KeyFactory.getInstance(Ed25519Keys.ALGORITHM).generatePublic(
                    new EdECPublicKeySpec(NamedParameterSpec.ED25519, ((java.security.interfaces.EdECPublicKey) pub).getPoint()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive the Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /** Hands out the given bytes as "randomness": the key-pair generator then derives the key pair of that seed. */
    private static final class FixedRandom extends java.security.SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] seed;

        FixedRandom(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            if (bytes.length != seed.length) {
                throw new IllegalStateException("unexpected request of " + bytes.length + " random bytes");
            }
            System.arraycopy(seed, 0, bytes, 0, seed.length);
        }
    }
}
