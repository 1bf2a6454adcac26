package org.mvfaedge.server.security;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.exceptions.ConfigurationException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.mvfaedge.server.config.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured keys, held as SHA-256 hashes only. A presented key is hashed and compared with every
 * configured hash in constant time ({@link MessageDigest#isEqual}); the comparison does not stop at the
 * first match, so timing says nothing about which key matched. Created at start ({@code @Context}): the
 * server refuses to start with no key unless {@code mvfa.insecure-no-auth} is set.
 */
@Context
public class ApiKeys {
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeys.class);

    /** What a key may do. */
    public enum Role { NONE, USER, ADMIN }

    private final List<byte[]> user;
    private final List<byte[]> admin;
    private final boolean disabled;

    public ApiKeys(ServerSettings settings) {
        this.user = parse(settings.getApiKeys(), "mvfa.api-keys (MVFA_API_KEYS)");
        this.admin = parse(settings.getAdminKeys(), "mvfa.admin-keys (MVFA_ADMIN_KEYS)");
        if (user.isEmpty() && admin.isEmpty()) {
            if (!settings.isInsecureNoAuth()) {
                throw new ConfigurationException("No API key is configured: set MVFA_API_KEYS and MVFA_ADMIN_KEYS"
                        + " (comma-separated SHA-256 hex hashes of the keys, e.g. `printf %s \"$KEY\" | sha256sum`),"
                        + " or start with --insecure-no-auth on a trusted network only.");
            }
            LOG.warn("INSECURE: no API key configured and --insecure-no-auth given: every client may detect and reload"
                    + " models. Use this on a trusted network only.");
            disabled = true;
        } else {
            disabled = false;
            if (settings.isInsecureNoAuth()) {
                LOG.warn("--insecure-no-auth is ignored: API keys are configured and enforced");
            }
            if (admin.isEmpty()) {
                LOG.warn("No admin key configured (MVFA_ADMIN_KEYS): model reload is refused to every caller");
            }
        }
    }

    public boolean disabled() {
        return disabled;
    }

    /** The role of a presented key (the clear text from X-API-Key), NONE if absent or unknown. */
    public Role roleOf(String presented) {
        if (disabled) {
            return Role.ADMIN;
        }
        if (presented == null || presented.isEmpty()) {
            return Role.NONE;
        }
        byte[] hash = sha256(presented);
        boolean isAdmin = matchesAny(hash, admin);
        boolean isUser = matchesAny(hash, user);
        return isAdmin ? Role.ADMIN : isUser ? Role.USER : Role.NONE;
    }

    private static boolean matchesAny(byte[] hash, List<byte[]> hashes) {
        boolean found = false;
        for (byte[] h : hashes) {
            found |= MessageDigest.isEqual(hash, h);
        }
        return found;
    }

    public static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Hex SHA-256 of a key: what goes into MVFA_API_KEYS. */
    public static String sha256Hex(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }

    private static List<byte[]> parse(List<String> hexes, String where) {
        List<byte[]> out = new ArrayList<>();
        for (String hex : hexes) {
            String h = hex.strip().toLowerCase(Locale.ROOT);
            if (!h.matches("[0-9a-f]{64}")) {
                throw new ConfigurationException("An entry of " + where + " is not a SHA-256 hex hash (64 hex digits):"
                        + " configure the hash of each key, e.g. `printf %s \"$KEY\" | sha256sum`, never the key itself.");
            }
            out.add(HexFormat.of().parseHex(h));
        }
        return out;
    }
}
