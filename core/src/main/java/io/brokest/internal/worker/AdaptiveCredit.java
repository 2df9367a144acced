package io.brokest.internal.worker;

/**
 * How many tasks a worker lets one client have here at once: its threads plus a prefetch sized by
 * time, not by count. The prefetch starts at its configured base ({@code max(4, threads)} by
 * default) and grows, up to a maximum, until the tasks queued behind the running ones take about
 * {@link #QUEUED_WORK_NANOS} to run. So for tasks of 10 ms the base stays (a few tasks wait, and
 * work spreads evenly over workers), while for tasks of microseconds hundreds wait, enough to hide
 * the round trip that returns each credit. Either way a worker holds about the same amount of queued
 * <em>work</em>, which is what load balancing cares about. The growth also stops where the tasks
 * queued would hold more than {@link #QUEUED_BYTES} of payload, so short tasks that carry megabytes
 * do not fill the worker's memory.
 *
 * <p>Task threads {@link #record} how long each task took; when the credit this implies has moved
 * by more than a quarter from the one last granted, or reached its base or its maximum, the caller
 * announces it (a CREDIT message). When the credit drops (the tasks got longer), the worker also gives
 * back the tasks beyond it that have not started ({@code TaskRunner}), so a burst queued while tasks
 * were short does not wait here behind long ones while other workers have room.
 * With a fixed prefetch (base = maximum) the credit never moves. Thread-safe.
 */
final class AdaptiveCredit {
    /** How much work should wait behind each busy thread: a few round trips on a LAN. */
    static final long QUEUED_WORK_NANOS = 5_000_000;
    /** The most payload the grown part of the prefetch may hold, by the average payload size. */
    static final long QUEUED_BYTES = 32L * 1024 * 1024;
    /** Weight of the newest task in the moving averages (1/8). */
    private static final int SHIFT = 3;

    private final int threads;
    private final int basePrefetch;
    private final int maxPrefetch;
    private final int ceiling;
    /**
     * Written under this; read without it by the socket thread, on every launch and on every turn
     * with results to send.
     */
    private volatile long averageNanos; // 0 until the first task ends
    private long averageBytes; // guarded by this
    private int granted; // guarded by this

    /**
     * @param ceiling the most this client may ever have here (the per-client task limit)
     */
    AdaptiveCredit(int threads, int basePrefetch, int maxPrefetch, int ceiling) {
        this.threads = threads;
        this.basePrefetch = basePrefetch;
        this.maxPrefetch = Math.max(basePrefetch, maxPrefetch);
        this.ceiling = ceiling;
        this.granted = Math.min(ceiling, threads + basePrefetch);
    }

    /** The moving average of this client's task times here, or 0 before its first task ended. */
    long averageNanos() {
        return averageNanos;
    }

    /** The credit granted so far (announced in WELCOME or CREDIT). */
    synchronized int granted() {
        return granted;
    }

    /**
     * A task of this client took {@code nanos} on its thread and came with {@code payloadBytes}.
     * Returns the new credit to announce, or 0 when the one granted still fits.
     */
    synchronized int record(long nanos, int payloadBytes) {
        long sample = Math.max(1_000, nanos); // below a microsecond the clock, not the task, is measured
        averageNanos = averageNanos == 0 ? sample : averageNanos + ((sample - averageNanos) >> SHIFT);
        long bytes = Math.max(1, payloadBytes);
        averageBytes = averageBytes == 0 ? bytes : averageBytes + ((bytes - averageBytes) >> SHIFT);
        if (maxPrefetch == basePrefetch) {
            return 0;
        }
        long wanted = Math.min(threads * QUEUED_WORK_NANOS / averageNanos, QUEUED_BYTES / averageBytes);
        int prefetch = (int) Math.max(basePrefetch, Math.min(maxPrefetch, wanted));
        int credit = Math.min(ceiling, threads + prefetch);
        boolean atABound = prefetch == basePrefetch || prefetch == maxPrefetch || credit == ceiling;
        if (credit == granted || (!atABound && Math.abs(credit - granted) * 4 < granted)) {
            return 0; // small moves are not worth a message; the bounds are always reached
        }
        granted = credit;
        return credit;
    }
}
