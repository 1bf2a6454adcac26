package org.mvfaedge.trainer.text;

/**
 * A text whose tokens, with the start and end tokens, do not fit the text encoder's context length.
 * OpenAI's {@code clip.tokenize(..., truncate=False)} raises in the same case; silently truncating
 * would change the prompt's meaning and its features.
 */
public class TextTooLongException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private static final int SHOWN_CHARS = 60;

    private final String text;
    private final int tokenCount;
    private final int contextLength;

    public TextTooLongException(String text, int tokenCount, int contextLength) {
        super("text \"" + abbreviate(text) + "\" gives " + tokenCount
                + " tokens (start and end tokens included), more than the context length "
                + contextLength + ": shorten the text (or its prompt template/object name)");
        this.text = text;
        this.tokenCount = tokenCount;
        this.contextLength = contextLength;
    }

    private static String abbreviate(String text) {
        return text.length() <= SHOWN_CHARS ? text : text.substring(0, SHOWN_CHARS) + "...";
    }

    /** The whole text that did not fit. */
    public String text() {
        return text;
    }

    /** Its token count, start and end tokens included. */
    public int tokenCount() {
        return tokenCount;
    }

    public int contextLength() {
        return contextLength;
    }
}
