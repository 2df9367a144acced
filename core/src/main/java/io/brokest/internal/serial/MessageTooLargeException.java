package io.brokest.internal.serial;

import io.brokest.TaskSerializationException;

/** A task or result whose serialized form is over the configured maximum message size. */
public final class MessageTooLargeException extends TaskSerializationException {
    private static final long serialVersionUID = 1L;

    public MessageTooLargeException(String message) {
        super(message);
    }
}
