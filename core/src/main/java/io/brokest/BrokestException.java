package io.brokest;

/** Base class of the errors Brokest itself reports (as opposed to a task's own exceptions). */
public class BrokestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BrokestException(String message) {
        super(message);
    }

    public BrokestException(String message, Throwable cause) {
        super(message, cause);
    }
}
