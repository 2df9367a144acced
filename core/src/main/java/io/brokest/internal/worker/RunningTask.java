package io.brokest.internal.worker;

import io.brokest.internal.wire.Message;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One task accepted by a worker. Exactly one RESULT is sent for it, whichever comes first of its
 * completion, a cancel, or its timeout: {@link #finish} decides.
 */
final class RunningTask {
    final Session session;
    final long taskId;
    /** The attempt the client waits for; raised when it re-sends the task while it still runs here. */
    private int attempt; // guarded by this
    private final AtomicBoolean finished = new AtomicBoolean();
    /** Claimed by the task thread when it starts the task, or by {@link #giveBack} so that it never starts. */
    private final AtomicBoolean started = new AtomicBoolean();
    /** Set only by a cancel or timeout: a task that simply finished must never be interrupted. */
    private volatile boolean cancelled;
    private volatile long startedNanos;
    private volatile Future<?> execution;
    private volatile Future<?> timer;
    /**
     * Runs once when the task ends, however it ends: frees its client's slot, and says whether other
     * tasks are still on the worker (whose results this one's may wait for).
     */
    private final BooleanSupplier onEnd;
    /** Told when a cancel or timeout interrupted the task while its code ran, to watch that it ends. */
    private final Consumer<RunningTask> interrupted;
    /** The thread running the task's code, from {@link #enter} until {@link #exit}; null otherwise. */
    private volatile Thread thread;
    /** The task's class, once read. */
    private volatile String description = "not read yet";
    /** Set once the task's slot is handed back: when it returns, or when it is abandoned. */
    private volatile int slotReleased;
    private static final AtomicIntegerFieldUpdater<RunningTask> SLOT_RELEASED =
            AtomicIntegerFieldUpdater.newUpdater(RunningTask.class, "slotReleased"); // no object per task
    /** What interrupted it and when ({@link System#nanoTime()}), for the log if it ignores that. */
    private volatile String interruptedBy;
    private volatile long interruptedNanos;

    RunningTask(Session session, long taskId, int attempt) {
        this(session, taskId, attempt, () -> false, task -> { });
    }

    RunningTask(Session session, long taskId, int attempt, BooleanSupplier onEnd, Consumer<RunningTask> interrupted) {
        this.session = session;
        this.taskId = taskId;
        this.attempt = attempt;
        this.onEnd = onEnd;
        this.interrupted = interrupted;
    }

    void started(Future<?> execution, Future<?> timer) {
        this.execution = execution;
        this.timer = timer;
        if (cancelled) {
            interrupt(execution); // cancelled before its execution was known
        }
    }

    /**
     * The client re-sent this task (it gave this worker up, then reconnected) while it still runs here:
     * the one run answers for the newer attempt, since the client ignores results of older ones.
     * Returns false if the task already finished, so it must be run again.
     */
    synchronized boolean adopt(int newerAttempt) {
        if (finished.get()) {
            return false;
        }
        attempt = Math.max(attempt, newerAttempt);
        return true;
    }

    /** Sends the result unless one was already sent. Returns whether this call sent it. */
    boolean finish(byte status, byte[] payload) {
        int answering;
        synchronized (this) {
            if (!finished.compareAndSet(false, true)) {
                return false;
            }
            answering = attempt;
        }
        session.running.remove(taskId, this);
        Future<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
        // the slot is free before the client hears of it, so its next task finds this worker idle
        boolean othersRemain = onEnd.getAsBoolean();
        if (!session.isClosed()) {
            // while other tasks of a batching client run, the socket thread may be polling for results
            // (ResultPolling): then this one waits for its next look rather than wake it; the last
            // task's result, or a short task's, wakes it at once
            boolean mayWait = othersRemain && ResultBatching.batches(session);
            session.send(new Message.Result(taskId, answering, status, payload), mayWait ? ResultPolling.POLL_NANOS : 0);
        }
        return true;
    }

    /**
     * Interrupts the task and, if {@code report}, reports it cancelled (if it has not finished already).
     * {@code why} is for the log, should the task ignore the interrupt.
     */
    void cancel(boolean report, String why) {
        boolean mine = report ? finish(Message.Result.CANCELLED, new byte[0]) : finished.compareAndSet(false, true);
        if (!report && mine) {
            session.running.remove(taskId, this);
            onEnd.getAsBoolean();
        }
        if (mine) {
            interruptedBy = why; // before the flag, which started() reads
            cancelled = true;
            Future<?> e = execution;
            if (e != null) {
                interrupt(e);
            }
        }
    }

    private void interrupt(Future<?> e) {
        interruptedNanos = System.nanoTime();
        e.cancel(true);
        if (thread != null) {
            interrupted.accept(this);
        }
    }

    /** The task thread: the task's code (of the given class) starts running on it. */
    void enter(Thread current, String taskClass) {
        description = taskClass;
        thread = current;
    }

    /** The task thread: the task's code returned (or threw). */
    void exit() {
        thread = null;
    }

    /** The thread running the task's code now, or null. */
    Thread thread() {
        return thread;
    }

    /** True the first time only: whoever gets it hands the task's slot back. */
    boolean releaseSlot() {
        return SLOT_RELEASED.compareAndSet(this, 0, 1);
    }

    String description() {
        return description;
    }

    String interruptedBy() {
        return interruptedBy;
    }

    long interruptedNanos() {
        return interruptedNanos;
    }

    boolean isFinished() {
        return finished.get();
    }

    /** The task thread: claims the task before running it. False if it was given back (or already started). */
    boolean markStarted() {
        return markStarted(System.nanoTime());
    }

    /** As {@link #markStarted()}, at a given {@link System#nanoTime()} (for tests). */
    boolean markStarted(long nowNanos) {
        if (!started.compareAndSet(false, true)) {
            return false;
        }
        startedNanos = nowNanos;
        return true;
    }

    /** When the task thread started it ({@link System#nanoTime()}), or 0 while it has not (or was given back). */
    long startedNanos() {
        return startedNanos;
    }

    boolean hasStarted() {
        return started.get();
    }

    /**
     * The worker lowered this client's credit and holds more of its tasks than that: if this one has not
     * started, it never will here, and the client sends it elsewhere (REJECTED is not a failure and costs
     * no retry). Returns whether it was given back.
     */
    boolean giveBack() {
        if (!started.compareAndSet(false, true)) {
            return false;
        }
        if (!finish(Message.Result.REJECTED, new byte[0])) {
            return false;
        }
        Future<?> e = execution;
        if (e != null) {
            e.cancel(false); // not started: nothing to interrupt, it just leaves the queue
        }
        return true;
    }
}
