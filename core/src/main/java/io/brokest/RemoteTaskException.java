package io.brokest;

/**
 * A task threw an exception on the worker whose type could not be rebuilt on the client (its class is
 * not visible here, or it has no usable constructor). Carries the remote class name and message; the
 * stack trace is the one recorded on the worker, and the cause chain is rebuilt the same way.
 */
public class RemoteTaskException extends BrokestException {
    private static final long serialVersionUID = 1L;

    private final String remoteClassName;
    private final String remoteMessage;

    public RemoteTaskException(String remoteClassName, String remoteMessage) {
        super(remoteMessage == null ? remoteClassName : remoteClassName + ": " + remoteMessage);
        this.remoteClassName = remoteClassName;
        this.remoteMessage = remoteMessage;
    }

    /** The fully qualified class name of the exception thrown on the worker. */
    public String remoteClassName() {
        return remoteClassName;
    }

    /** The message of the exception thrown on the worker, or null. */
    public String remoteMessage() {
        return remoteMessage;
    }
}
