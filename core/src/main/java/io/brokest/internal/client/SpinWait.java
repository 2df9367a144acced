package io.brokest.internal.client;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides whether a thread blocked on a task's future spins before it parks, and for how long.
 *
 * <p>Why spin: waking a parked thread costs far more than the hand-off itself on a virtual machine,
 * where an idle core halts into the hypervisor and a wake-up crosses it. While it spins, the thread
 * also reads the client's sockets itself ({@code ClientAgent.readForSpinner}), so its result skips the
 * client's socket thread too. Measured on the project's 2-core VM, 12 paired repetitions of 2,000
 * no-op round trips: a median 111 us with the caller parked, 46 us with it spinning (raw JeroMQ: 85
 * us with a blocking receive, 47 us with a spinning one), for 75 against 65 us of client CPU per
 * round trip. A spin shorter than the result's trip only adds CPU (a 30 us spin, without reading,
 * made the round trip slower than none), so a thread spins for the whole limit or not at all.
 *
 * <p>When: only while this client's recent waits were shorter than the limit (a moving average of
 * them), so threads waiting for longer tasks never spin; the first wait of a client parks. And only
 * while fewer threads spin, in the whole JVM, than half the machine's cores, so spinners never take
 * the cores that socket and I/O threads need, and a one-core machine never spins.
 */
final class SpinWait {
    /** The default limit: covers a no-op's round trip on loopback with room to spare. */
    static final long DEFAULT_LIMIT_NANOS = 200_000;
    /** Never spins (a limit of zero). */
    static final SpinWait OFF = new SpinWait(0);

    private static final int MAX_SPINNERS = Runtime.getRuntime().availableProcessors() / 2;
    private static final AtomicInteger SPINNERS = new AtomicInteger();

    private final long limitNanos;
    /**
     * The moving average of recent waits (the newest weighs an eighth), each counted at most four
     * limits so one long wait does not stop spinning for long; a spin in vain counts as four limits.
     * Starts at the limit: the first wait parks and teaches the average. Updated without a lock: a
     * lost update only nudges a heuristic.
     */
    private volatile long typicalWaitNanos;

    SpinWait(long limitNanos) {
        if (limitNanos < 0) {
            throw new IllegalArgumentException("a spin limit must not be negative, was " + limitNanos + " ns");
        }
        this.limitNanos = limitNanos;
        this.typicalWaitNanos = limitNanos;
    }

    /**
     * How long the calling thread may spin now (0: park at once), at most until {@code deadline}
     * ({@code System.nanoTime()}, 0 for none). A positive answer holds one of the JVM's spinner slots
     * until {@link #spun()}.
     */
    long start(long deadline) {
        if (limitNanos == 0 || typicalWaitNanos >= limitNanos) {
            return 0;
        }
        long budget = limitNanos;
        if (deadline != 0) {
            budget = Math.min(budget, deadline - System.nanoTime());
            if (budget <= 0) {
                return 0;
            }
        }
        int spinners = SPINNERS.get();
        while (spinners < MAX_SPINNERS) {
            if (SPINNERS.compareAndSet(spinners, spinners + 1)) {
                return budget;
            }
            spinners = SPINNERS.get();
        }
        return 0;
    }

    /** Gives back the spinner slot that a positive {@link #start} took. */
    void spun() {
        SPINNERS.decrementAndGet();
    }

    /**
     * A thread waited this long for a future (spinning, parked, or both); {@code spunInVain}: it spun
     * for its whole budget and parked after all. Such a wait counts as four limits, however long it
     * took: the spin only added CPU, and on a host the workers share, took a core from them.
     */
    void waited(long nanos, boolean spunInVain) {
        if (limitNanos == 0) {
            return;
        }
        long sample = spunInVain ? 4 * limitNanos : Math.min(Math.max(0, nanos), 4 * limitNanos);
        long typical = typicalWaitNanos;
        typicalWaitNanos = typical + (sample - typical) / 8;
    }

    long limitNanos() {
        return limitNanos;
    }

    /** Whether the next wait would spin, were a spinner slot free (for tests). */
    boolean wouldSpin() {
        return limitNanos != 0 && typicalWaitNanos < limitNanos;
    }

    /** How many threads spin now in this JVM (for tests). */
    static int spinners() {
        return SPINNERS.get();
    }

    static int maxSpinners() {
        return MAX_SPINNERS;
    }
}
