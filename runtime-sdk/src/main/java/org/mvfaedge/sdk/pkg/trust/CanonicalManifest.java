package org.mvfaedge.sdk.pkg.trust;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The bytes a package signature covers: {@code manifest.json} in a canonical form, so that a
 * signature survives re-indentation or key reordering by another tool but not any change of a value.
 *
 * <p>The signed message is the UTF-8 line {@value #DOMAIN} followed by a newline, then the manifest
 * serialised as follows (close to RFC 8785, JSON Canonicalization Scheme):
 * <ul>
 *   <li>no whitespace between tokens;</li>
 *   <li>object members sorted by key, comparing the keys' UTF-16 code units (as RFC 8785); duplicate
 *       keys are refused (two readers could otherwise disagree on which value counts);</li>
 *   <li>strings in UTF-8 with only {@code "} and {@code \} escaped as {@code \"} and {@code \\}, and
 *       control characters below U+0020 as {@code \b \f \n \r \t} or {@code \}{@code u00xx} (lower-case hex);
 *       everything else literal;</li>
 *   <li>{@code true}, {@code false}, {@code null} as such;</li>
 *   <li>numbers by their exact decimal value: no exponent, no leading {@code +}, no trailing zeros after
 *       the decimal point and no point when the value is whole ({@code 1.50} and {@code 15e-1} become
 *       {@code 1.5}, {@code 2.0} becomes {@code 2}, {@code -0} becomes {@code 0}). This departs from
 *       RFC 8785, whose numbers are IEEE doubles: a manifest's numbers are compared exactly here, so no
 *       two different values can share a signature. Numbers with an exponent beyond +-{@value #MAX_SCALE}
 *       are refused (their plain form would be huge).</li>
 * </ul>
 * The domain line keeps a manifest signature from being valid as a signature of anything else made with
 * the same key.
 */
public final class CanonicalManifest {
    /** The first line of every signed message (a domain separator, with its version). */
    public static final String DOMAIN = "mvfa-edge package manifest v1";
    static final int MAX_SCALE = 400;

    private static final ObjectMapper READER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    private CanonicalManifest() {
    }

    /** The message a signature of this manifest signs: the domain line and the canonical JSON. */
    public static byte[] signedMessage(byte[] manifestJson) {
        byte[] canonical = canonicalJson(manifestJson);
        byte[] head = (DOMAIN + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + canonical.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(canonical, 0, out, head.length, canonical.length);
        return out;
    }

    /**
     * The canonical JSON of a manifest's bytes.
     *
     * @throws IllegalArgumentException if the bytes are not one JSON value, have duplicate keys or an
     *     out-of-range number (the message says which)
     */
    public static byte[] canonicalJson(byte[] manifestJson) {
        JsonNode root;
        try {
            root = READER.readTree(manifestJson);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("not canonicalisable JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("not readable JSON: " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new IllegalArgumentException("empty JSON");
        }
        StringBuilder sb = new StringBuilder(manifestJson.length);
        write(root, sb);
        ByteArrayOutputStream out = new ByteArrayOutputStream(sb.length() + 16);
        byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        return out.toByteArray();
    }

    private static void write(JsonNode n, StringBuilder sb) {
        switch (n.getNodeType()) {
            case OBJECT -> {
                List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
                Iterator<Map.Entry<String, JsonNode>> it = n.fields();
                it.forEachRemaining(fields::add);
                // String.compareTo compares UTF-16 code units, the order RFC 8785 prescribes
                fields.sort(Map.Entry.comparingByKey());
                sb.append('{');
                for (int i = 0; i < fields.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    string(fields.get(i).getKey(), sb);
                    sb.append(':');
                    write(fields.get(i).getValue(), sb);
                }
                sb.append('}');
            }
            case ARRAY -> {
                sb.append('[');
                for (int i = 0; i < n.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    write(n.get(i), sb);
                }
                sb.append(']');
            }
            case STRING -> string(n.textValue(), sb);
            case NUMBER -> sb.append(number(n.decimalValue()));
            case BOOLEAN -> sb.append(n.booleanValue() ? "true" : "false");
            case NULL -> sb.append("null");
            default -> throw new IllegalArgumentException("unexpected JSON node " + n.getNodeType());
        }
    }

    static String number(BigDecimal v) {
        if (v.signum() == 0) {
            return "0";
        }
        BigDecimal s = v.stripTrailingZeros();
        if (s.scale() > MAX_SCALE || s.scale() < -MAX_SCALE) {
            throw new IllegalArgumentException("a number's exponent is out of range (|exponent| > " + MAX_SCALE + ")");
        }
        return s.toPlainString();
    }

    private static void string(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        sb.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        // UTF-8 cannot encode it; replacing it would let two different strings sign alike
                        throw new IllegalArgumentException("a string holds an unpaired UTF-16 surrogate");
                    } else if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
