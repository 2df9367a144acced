package io.brokest;

/**
 * A task, its arguments or its result could not be serialized or deserialized. Thrown at submit time
 * for the task itself (nothing was sent), or completes the future when the worker could not read the
 * task or write its result. The message names the class or captured value at fault.
 */
public class TaskSerializationException extends BrokestException {
    private static final long serialVersionUID = 1L;

    public TaskSerializationException(String message) {
        super(message);
    }

    public TaskSerializationException(String message, Throwable cause) {
        super(message, cause);
    }
}
