package org.mvfaedge.trainer.text;

import java.nio.charset.Charset;
import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text cleaning of CLIP's {@code simple_tokenizer.py}:
 * {@code whitespace_clean(basic_clean(text)).lower()}, where {@code basic_clean} is
 * {@code ftfy.fix_text}, {@code html.unescape} twice and {@code strip}.
 *
 * <p>ftfy is approximated by its default fixes that do not need its mojibake heuristics: HTML
 * entities when the text has no {@code <}, C1 controls read as windows-1252, Latin ligatures,
 * full-width characters, curly quotes, control characters, and NFC normalisation (which joins a
 * letter and its combining accent, so {@code "e\u0301"} tokenizes like {@code "\u00e9"}). Mojibake
 * repair ({@code fix_encoding}) and terminal escapes are not reproduced.
 */
final class ClipTextCleaner {
    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");
    private static final Pattern FTFY_ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");

    private ClipTextCleaner() {
    }

    /** The text as the tokenizer splits it. */
    static String clean(String text) {
        return whitespaceClean(basicClean(text)).toLowerCase(Locale.ROOT);
    }

    static String basicClean(String text) {
        String fixed = fixText(text);
        return pythonStrip(HtmlUnescape.unescape(HtmlUnescape.unescape(fixed)));
    }

    /** {@code re.sub(r'\s+', ' ', text).strip()} with Python's notion of whitespace. */
    static String whitespaceClean(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean inSpace = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isPythonSpace(c)) {
                if (!inSpace) {
                    out.append(' ');
                }
                inSpace = true;
            } else {
                out.append(c);
                inSpace = false;
            }
        }
        return pythonStrip(out.toString());
    }

    /** Python's {@code str.isspace} (all whitespace is in the BMP). */
    static boolean isPythonSpace(int c) {
        return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0
                || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029
                || c == 0x202f || c == 0x205f || c == 0x3000;
    }

    static String pythonStrip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isPythonSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isPythonSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /** The subset of {@code ftfy.fix_text}'s default fixes described in the class comment. */
    static String fixText(String text) {
        String s = text;
        // ftfy's unescape_html="auto": only when the text does not look like HTML markup.
        if (s.indexOf('<') < 0) {
            s = unescapeEntitiesWithSemicolon(s);
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length();) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            appendFixed(out, cp);
        }
        return Normalizer.normalize(out, Normalizer.Form.NFC);
    }

    private static String unescapeEntitiesWithSemicolon(String s) {
        // ftfy only replaces complete references ("&...;"); html.unescape later handles the rest.
        Matcher m = FTFY_ENTITY.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(
                    HtmlUnescape.unescape(m.group())));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static void appendFixed(StringBuilder out, int cp) {
        if (isRemovedControl(cp)) {
            return;
        }
        if (cp >= 0x80 && cp <= 0x9f) { // fix_c1_controls
            String decoded = new String(new byte[] {(byte) cp}, WINDOWS_1252);
            if (decoded.equals("\uFFFD")) {
                out.append((char) cp); // sloppy windows-1252: undefined bytes stay as they are
            } else {
                appendFixed(out, decoded.codePointAt(0)); // ftfy repeats its fixes until stable
            }
            return;
        }
        String ligature = ligature(cp);
        if (ligature != null) { // fix_latin_ligatures
            out.append(ligature);
            return;
        }
        if (cp == 0x3000) { // fix_character_width
            out.append(' ');
            return;
        }
        if (cp >= 0xFF01 && cp < 0xFFF0) {
            out.append(Normalizer.normalize(String.valueOf((char) cp), Normalizer.Form.NFKC));
            return;
        }
        if (cp == 0x02bc || (cp >= 0x2018 && cp <= 0x201b)) { // uncurl_quotes
            out.append('\'');
            return;
        }
        if (cp >= 0x201c && cp <= 0x201f) {
            out.append('"');
            return;
        }
        out.appendCodePoint(cp);
    }

    /** ftfy's remove_control_chars (tabs, newlines and C1 controls are kept). */
    private static boolean isRemovedControl(int cp) {
        return (cp >= 0x00 && cp <= 0x08) || cp == 0x0b || (cp >= 0x0e && cp <= 0x1f) || cp == 0x7f
                || (cp >= 0x206a && cp <= 0x206f) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffc)
                || (cp >= 0x1d173 && cp <= 0x1d17a) || (cp >= 0xe0000 && cp <= 0xe007f);
    }

    private static String ligature(int cp) {
        switch (cp) {
            case 0x0132: return "IJ";
            case 0x0133: return "ij";
            // ftfy turns it into U+02BC n and then, on its next pass, uncurls the apostrophe.
            case 0x0149: return "'n";
            case 0x01c4: return "D\u017d";
            case 0x01c5: return "D\u017e";
            case 0x01c6: return "d\u017e";
            case 0x01c7: return "LJ";
            case 0x01c8: return "Lj";
            case 0x01c9: return "lj";
            case 0x01ca: return "NJ";
            case 0x01cb: return "Nj";
            case 0x01cc: return "nj";
            case 0x01f1: return "DZ";
            case 0x01f2: return "Dz";
            case 0x01f3: return "dz";
            case 0xfb00: return "ff";
            case 0xfb01: return "fi";
            case 0xfb02: return "fl";
            case 0xfb03: return "ffi";
            case 0xfb04: return "ffl";
            case 0xfb05: return "\u017ft";
            case 0xfb06: return "st";
            default: return null;
        }
    }
}
