package io.brokest.internal.wire;

/** A frame that is not a valid Brokest message: wrong magic, unknown version or type, or truncated. */
public final class MalformedMessageException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedMessageException(String message) {
        super(message);
    }
}
