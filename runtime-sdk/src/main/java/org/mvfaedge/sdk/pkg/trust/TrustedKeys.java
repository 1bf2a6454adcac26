package org.mvfaedge.sdk.pkg.trust;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The public keys whose signatures make a package acceptable. Empty: packages are not verified (only
 * their sha256 sums, as without signing). Immutable.
 */
public final class TrustedKeys {
    private static final TrustedKeys NONE = new TrustedKeys(Map.of());
    private final Map<String, PublicKey> byId;

    private TrustedKeys(Map<String, PublicKey> byId) {
        this.byId = Map.copyOf(byId);
    }

    /** No trusted key: no signature check. */
    public static TrustedKeys none() {
        return NONE;
    }

    public static TrustedKeys of(Collection<PublicKey> keys) {
        Map<String, PublicKey> m = new LinkedHashMap<>();
        for (PublicKey k : keys) {
            if (!Ed25519Keys.ALGORITHM.equalsIgnoreCase(k.getAlgorithm()) && !"EdDSA".equalsIgnoreCase(k.getAlgorithm())) {
                throw new IllegalArgumentException("a trusted key must be Ed25519, got " + k.getAlgorithm());
            }
            m.put(Ed25519Keys.keyId(k), k);
        }
        return new TrustedKeys(m);
    }

    public static TrustedKeys of(PublicKey... keys) {
        return of(List.of(keys));
    }

    /**
     * Reads public key PEM files.
     *
     * @throws IllegalArgumentException naming the file that is not an Ed25519 public key
     */
    public static TrustedKeys read(Collection<Path> pemFiles) throws IOException {
        List<PublicKey> keys = new ArrayList<>();
        for (Path p : pemFiles) {
            keys.add(Ed25519Keys.readPublic(p));
        }
        return of(keys);
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }

    /** The key with this id, or null. */
    public PublicKey get(String keyId) {
        return keyId == null ? null : byId.get(keyId.toLowerCase(java.util.Locale.ROOT));
    }

    /** Ids of the trusted keys (sha256 of each public key's DER). */
    public Set<String> ids() {
        return byId.keySet();
    }

    @Override
    public String toString() {
        return "TrustedKeys" + ids();
    }
}
