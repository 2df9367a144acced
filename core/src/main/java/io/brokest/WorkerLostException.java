package io.brokest;

/**
 * The worker running a task stopped answering (killed, frozen, cut off, or shut down) and the task
 * could not be run elsewhere within its retry budget ({@link TaskOptions#withMaxRetries(int)}).
 * The task may or may not have run.
 */
public class WorkerLostException extends BrokestException {
    private static final long serialVersionUID = 1L;

    public WorkerLostException(String message) {
        super(message);
    }
}
