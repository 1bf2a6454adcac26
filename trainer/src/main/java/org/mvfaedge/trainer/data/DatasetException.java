package org.mvfaedge.trainer.data;

/** A data set that does not have the BMAD layout the paper uses; the message names the path. */
public class DatasetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }
}
