package org.mvfaedge.trainer.text;

import java.util.List;

/** An object name the prompt configuration does not know; the message lists the known ones. */
public class UnknownObjectException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final List<String> known;

    public UnknownObjectException(String name, List<String> known) {
        super(message(name, known));
        this.name = name;
        this.known = List.copyOf(known);
    }

    private static String message(String name, List<String> known) {
        String hint = "";
        for (String k : known) {
            if (k.equalsIgnoreCase(name)) {
                hint = " (names are case-sensitive: did you mean " + k + "?)";
            }
        }
        return "unknown object \"" + name + "\"" + hint + "; known objects: " + String.join(", ", known)
                + ". Add your own object with a JSON file of extra objects or PromptConfig.withObject";
    }

    public String name() {
        return name;
    }

    public List<String> known() {
        return known;
    }
}
