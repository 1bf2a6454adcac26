package org.mvfaedge.trainer.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A port of Python's {@code html.unescape}, which CLIP's tokenizer applies twice to every text:
 * numeric character references (with the HTML5 replacements for invalid ones) and the WHATWG
 * named references, including the legacy ones that may omit their semicolon.
 */
final class HtmlUnescape {
    private static final Pattern CHARREF = Pattern.compile(
            "&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");
    private static final String TABLE = "html5-entities.tsv";
    private static final Map<String, String> NAMED = loadNamed();

    private HtmlUnescape() {
    }

    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = CHARREF.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(replace(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String replace(String ref) {
        if (ref.charAt(0) == '#') {
            boolean hex = ref.length() > 1 && (ref.charAt(1) == 'x' || ref.charAt(1) == 'X');
            String digits = ref.substring(hex ? 2 : 1);
            if (digits.endsWith(";")) {
                digits = digits.substring(0, digits.length() - 1);
            }
            BigInteger big = new BigInteger(digits, hex ? 16 : 10);
            if (big.bitLength() > 31) {
                return "\uFFFD";
            }
            return numeric(big.intValue());
        }
        String whole = NAMED.get(ref);
        if (whole != null) {
            return whole;
        }
        // Python tries ever shorter prefixes (down to 2 characters) for the legacy names that
        // may appear without their semicolon, e.g. "&ampx" -> "&x".
        for (int x = ref.length() - 1; x > 1; x--) {
            String prefix = NAMED.get(ref.substring(0, x));
            if (prefix != null) {
                return prefix + ref.substring(x);
            }
        }
        return "&" + ref;
    }

    private static String numeric(int num) {
        if (num == 0x00) {
            return "\uFFFD";
        }
        if (num == 0x0d) {
            return "\r";
        }
        if (num >= 0x80 && num <= 0x9f) {
            return windows1252(num);
        }
        if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
            return "\uFFFD";
        }
        if ((num >= 0x1 && num <= 0x8) || (num >= 0xe && num <= 0x1f) || (num >= 0x7f && num <= 0x9f)
                || (num >= 0xfdd0 && num <= 0xfdef) || num == 0xb || (num & 0xFFFE) == 0xFFFE) {
            return "";
        }
        return new String(Character.toChars(num));
    }

    /** HTML5's table for references to C1 controls: the windows-1252 character of that byte. */
    private static String windows1252(int num) {
        // Python's _invalid_charrefs keeps the five bytes windows-1252 leaves undefined as is.
        if (num == 0x81 || num == 0x8d || num == 0x8f || num == 0x90 || num == 0x9d) {
            return String.valueOf((char) num);
        }
        return new String(new byte[] {(byte) num}, java.nio.charset.Charset.forName("windows-1252"));
    }

    private static Map<String, String> loadNamed() {
        Map<String, String> map = new HashMap<>(4096);
        try (InputStream in = HtmlUnescape.class.getResourceAsStream(TABLE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + TABLE + " missing from the trainer jar");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null;) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int tab = line.indexOf('\t');
                StringBuilder value = new StringBuilder();
                for (String hex : line.substring(tab + 1).split(" ")) {
                    value.appendCodePoint(Integer.parseInt(hex, 16));
                }
                map.put(line.substring(0, tab), value.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading resource " + TABLE, e);
        }
        return map;
    }
}
