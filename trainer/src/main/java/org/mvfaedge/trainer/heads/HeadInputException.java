package org.mvfaedge.trainer.heads;

/**
 * Tensors handed to a scoring head or the memory bank that cannot be used: wrong rank, a token count
 * that is not 1 + G*G, mismatched widths or level counts. The message says what was expected and
 * what arrived, so the caller knows which input to fix.
 */
public class HeadInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public HeadInputException(String message) {
        super(message);
    }
}
