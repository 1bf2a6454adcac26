package org.mvfaedge.sdk.pkg.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * {@code manifest.sig}: one JSON object beside {@code manifest.json},
 * <pre>{"format":"mvfa-edge-package-signature","version":1,"algorithm":"Ed25519",
 *  "key_id":"&lt;sha256 hex of the public key's DER&gt;","signed":"mvfa-edge package manifest v1",
 *  "signature":"&lt;base64 of the 64-byte Ed25519 signature&gt;"}</pre>
 * {@code signed} names the message form ({@link CanonicalManifest#DOMAIN}); the key id only selects a
 * trusted key, it proves nothing by itself.
 */
public record PackageSignature(String algorithm, String keyId, byte[] signature) {
    public static final String FILE = "manifest.sig";
    static final String FORMAT = "mvfa-edge-package-signature";
    /** A signature file is about 300 bytes; anything much larger is not one (and is not read whole). */
    static final int MAX_BYTES = 16 * 1024;
    private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{64}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The file's bytes. */
    public byte[] toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", FORMAT);
        o.put("version", 1);
        o.put("algorithm", algorithm);
        o.put("key_id", keyId);
        o.put("signed", CanonicalManifest.DOMAIN);
        o.put("signature", Base64.getEncoder().encodeToString(signature));
        try {
            return (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses a signature file.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static PackageSignature parse(byte[] json) {
        if (json.length > MAX_BYTES) {
            throw new IllegalArgumentException("it is " + json.length + " bytes, more than a signature file holds");
        }
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("it is not JSON", e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("it is not a JSON object");
        }
        if (!FORMAT.equals(n.path("format").asText(null))) {
            throw new IllegalArgumentException("its format is not '" + FORMAT + "'");
        }
        if (n.path("version").asInt(-1) != 1) {
            throw new IllegalArgumentException("its version " + n.path("version") + " is not 1 (a newer MVFA-Edge wrote it?)");
        }
        if (!CanonicalManifest.DOMAIN.equals(n.path("signed").asText(null))) {
            throw new IllegalArgumentException("it signs '" + n.path("signed").asText("?") + "', not '"
                    + CanonicalManifest.DOMAIN + "'");
        }
        String alg = n.path("algorithm").asText(null);
        if (!Ed25519Keys.ALGORITHM.equals(alg)) {
            throw new IllegalArgumentException("its algorithm is '" + alg + "'; only Ed25519 is accepted");
        }
        String keyId = n.path("key_id").asText("");
        if (!KEY_ID.matcher(keyId).matches()) {
            throw new IllegalArgumentException("its key_id is not 64 lower-case hex digits");
        }
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(n.path("signature").asText(""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("its signature is not base64", e);
        }
        if (sig.length != 64) {
            throw new IllegalArgumentException("its signature has " + sig.length + " bytes; an Ed25519 signature has 64");
        }
        return new PackageSignature(alg, keyId, sig);
    }
}
