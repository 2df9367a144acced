package io.brokest.internal.worker;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Lets the worker's socket thread run a short task itself, which saves two thread hand-offs per round
 * trip, without leaving the socket unattended when the task turns out long. Two threads share the
 * socket loop: one owns the socket, the other stands by. While the owner runs a task ({@link
 * #beginTask} to {@link #endTask}), the standby looks every {@link #TAKEOVER_NANOS}; if the same task
 * is still running at its next look, the standby takes the socket and runs the loop, and the old owner,
 * once its task ends, becomes the standby. So heartbeats and other clients wait at most about two
 * milliseconds, whatever a task does.
 *
 * <p>Exactly one thread owns the socket at any time. Ownership passes by compare-and-set on one
 * counter, which is also the full memory barrier ZeroMQ asks for when a socket moves between threads.
 * The counter is odd while the owner runs a task; each task gets its own odd value, so a takeover of
 * one task can never be mistaken for the end of a later one.
 */
final class SocketBaton {
    /** How often the standby looks while the owner runs tasks: also the shortest task it takes over from. */
    static final long TAKEOVER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** After this long without a task on the socket thread, the standby parks until the next one. */
    static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final AtomicLong state = new AtomicLong();
    private volatile Thread standby;
    /** The thread in {@link #standBy}, or null: without one, the owner must not run tasks. */
    private final AtomicReference<Thread> standing = new AtomicReference<>();
    /** The standby parks without a deadline (so the owner must wake it before its next task). */
    private volatile boolean standbyAsleep;
    private volatile boolean stopped;

    /**
     * Owner only: it starts running a task; the standby may take the socket from now on. Returns the
     * ticket to give {@link #endTask}.
     */
    long beginTask() {
        long ticket = state.incrementAndGet(); // even to odd
        if (standbyAsleep) {
            LockSupport.unpark(standby);
        }
        return ticket;
    }

    /**
     * The task of this ticket ended. Returns true if its thread still owns the socket, false if the
     * standby took it over meanwhile (then that thread must not touch the socket again, and should
     * {@link #standBy}).
     */
    boolean endTask(long ticket) {
        return state.compareAndSet(ticket, ticket + 1);
    }

    /**
     * The thread that is not the owner waits here. Returns true when it has taken the socket over (the
     * caller runs the loop), false when the worker stopped while the owner was in its loop (the owner
     * cleans up, so the caller just ends).
     */
    boolean standBy() {
        Thread me = Thread.currentThread();
        standby = me;
        standing.set(me);
        try {
            return awaitTurn();
        } finally {
            standing.compareAndSet(me, null); // the old owner may already be standing by in our place
        }
    }

    /**
     * Whether a standby is there to take over. Not always: when a task the standby took over from
     * ignores its cancel and never ends, its thread never comes back to stand by.
     */
    boolean hasStandby() {
        return standing.get() != null;
    }

    private boolean awaitTurn() {
        long seen = -1; // so a task is taken over only after a look and a wait
        long lastChange = System.nanoTime();
        while (true) {
            long now = state.get();
            if ((now & 1) == 1 && now == seen && state.compareAndSet(now, now + 1)) {
                return true; // the same task has run since our last look: take the socket
            }
            if ((now & 1) == 0 && stopped) {
                return false;
            }
            if (now != seen) {
                seen = now;
                lastChange = System.nanoTime();
            }
            if ((now & 1) == 0 && System.nanoTime() - lastChange > IDLE_NANOS) {
                standbyAsleep = true;
                if (state.get() == now && !stopped) {
                    LockSupport.park(this); // beginTask or stop wakes us
                }
                standbyAsleep = false;
                lastChange = System.nanoTime();
            } else {
                // a fixed look interval, not a wake-up per task: the owner's task start stays one atomic
                // increment, and TAKEOVER_NANOS is what bounds the socket's stall anyway
                LockSupport.parkNanos(this, TAKEOVER_NANOS);
            }
        }
    }

    /** Any thread: the loop is ending; a standby leaves once the owner is back in its loop. */
    void stop() {
        stopped = true;
        Thread waiting = standby;
        if (waiting != null) {
            LockSupport.unpark(waiting);
        }
    }
}
