package io.brokest.internal.worker;

import io.brokest.internal.wire.Message;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One task accepted by a worker. Exactly one RESULT is sent for it, whichever comes first of its
 * completion, a cancel, or its timeout: {@link #finish} decides.
 */
final class RunningTask {
    final Session session;
    final long taskId;
    final int attempt;
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile Future<?> execution;
    private volatile Future<?> timer;
    /** Runs once when the task ends, however it ends: frees its client's slot. */
    private final Runnable onEnd;

    RunningTask(Session session, long taskId, int attempt) {
        this(session, taskId, attempt, () -> { });
    }

    RunningTask(Session session, long taskId, int attempt, Runnable onEnd) {
        this.session = session;
        this.taskId = taskId;
        this.attempt = attempt;
        this.onEnd = onEnd;
    }

    void started(Future<?> execution, Future<?> timer) {
        this.execution = execution;
        this.timer = timer;
        if (finished.get()) {
            execution.cancel(true);
        }
    }

    /** Sends the result unless one was already sent. Returns whether this call sent it. */
    boolean finish(byte status, byte[] payload) {
        if (!finished.compareAndSet(false, true)) {
            return false;
        }
        session.running.remove(taskId, this);
        Future<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
        if (!session.isClosed()) {
            session.send(new Message.Result(taskId, attempt, status, payload));
        }
        onEnd.run();
        return true;
    }

    /** Interrupts the task and reports it cancelled (if it has not finished already). */
    void cancel(boolean report) {
        boolean mine = report ? finish(Message.Result.CANCELLED, new byte[0]) : finished.compareAndSet(false, true);
        if (!report && mine) {
            session.running.remove(taskId, this);
            onEnd.run();
        }
        if (mine) {
            Future<?> e = execution;
            if (e != null) {
                e.cancel(true);
            }
        }
    }

    boolean isFinished() {
        return finished.get();
    }
}
