package org.mvfaedge.trainer.text;

/**
 * The part of Python's {@code str.format} the prompt states and templates use: one argument,
 * substituted for {@code {}} (once) or {@code {0}} (any number of times), with {@code {{} and
 * {@code }}} as literal braces. Anything else is rejected so that a prompt never silently differs
 * from what the reference would build.
 */
final class PythonFormat {
    private PythonFormat() {
    }

    /**
     * {@code pattern.format(value)}.
     *
     * @throws IllegalArgumentException naming the problem, where Python would raise or where the
     *     pattern has no placeholder (a prompt without the object would be useless)
     */
    static String format(String pattern, String value) {
        StringBuilder out = new StringBuilder(pattern.length() + value.length());
        int autoFields = 0;
        int fields = 0;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '{') {
                if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '{') {
                    out.append('{');
                    i++;
                } else if (pattern.startsWith("{}", i)) {
                    autoFields++;
                    fields++;
                    out.append(value);
                    i++;
                } else if (pattern.startsWith("{0}", i)) {
                    fields++;
                    out.append(value);
                    i += 2;
                } else {
                    throw new IllegalArgumentException("\"" + pattern + "\": only {} or {0} placeholders are supported");
                }
            } else if (c == '}') {
                if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '}') {
                    out.append('}');
                    i++;
                } else {
                    throw new IllegalArgumentException("\"" + pattern + "\": single '}' (write }} for a brace)");
                }
            } else {
                out.append(c);
            }
        }
        if (autoFields > 1) {
            throw new IllegalArgumentException("\"" + pattern + "\": more than one {} for a single value");
        }
        if (autoFields > 0 && fields > autoFields) {
            throw new IllegalArgumentException("\"" + pattern + "\": mixes {} and {0}");
        }
        if (fields == 0) {
            throw new IllegalArgumentException("\"" + pattern + "\": no {} placeholder");
        }
        return out.toString();
    }
}
