package io.brokest.internal.worker;

/**
 * How long the socket thread lets finished results wait, so that the results of tasks that end at
 * about the same time leave in one burst. A burst costs one wake-up of the worker's socket and I/O
 * threads, and then of the client's threads, where single results cost one each. On a busy 2-core
 * host each wake-up costs tens of microseconds of CPU, which the task threads waking from their own
 * waits then lack. With 2 workers of 10 threads running 10 ms tasks, a paired probe (old and new
 * daemons in turns, in one run) measured 370 us of CPU per task over all the JVMs without this wait
 * and 270 us with it; with 1 worker of 10 threads, 350 and 280 us.
 *
 * <p>A result waits only for a task that is expected to end within {@link #WINDOW_NANOS}: one whose
 * start, plus the average time its client's tasks take here, falls in that window. So a lone task,
 * tasks far from their end and tasks of unknown length are answered at once. So are short tasks
 * (under {@link #MIN_AVERAGE_NANOS} on average): their results already leave in bursts, and a wait
 * would be a large part of their round trip. Anything else ready to send (a class request, say) waits
 * as long. Only the socket thread calls this.
 */
final class ResultBatching {
    /** How far ahead an expected end may lie for a result to wait for it. */
    static final long WINDOW_NANOS = 500_000;
    /** What a task needs after its expected end to write its result and post it; also how late it may be. */
    static final long MARGIN_NANOS = 100_000;
    /** Clients whose tasks average less than this get their results at once. */
    static final long MIN_AVERAGE_NANOS = 4 * WINDOW_NANOS;

    private ResultBatching() {
    }

    /** Whether this client's results wait for others ending about the same time: its tasks are long enough. */
    static boolean batches(Session session) {
        return session.credit.averageNanos() >= MIN_AVERAGE_NANOS;
    }

    /**
     * How long to wait, at {@code now}, before sending the results that are ready: until just after the
     * last end expected within the window, or 0 to send them at once. At most
     * {@code WINDOW_NANOS + MARGIN_NANOS}.
     */
    static long holdNanos(Iterable<Session> sessions, long now) {
        long latestEnd = Long.MIN_VALUE;
        for (Session session : sessions) {
            if (!batches(session)) {
                continue;
            }
            long average = session.credit.averageNanos();
            for (RunningTask task : session.running.values()) {
                long started = task.startedNanos();
                if (started == 0 || task.isFinished()) {
                    continue;
                }
                long untilEnd = started + average - now;
                if (untilEnd > -MARGIN_NANOS && untilEnd <= WINDOW_NANOS) {
                    latestEnd = Math.max(latestEnd, untilEnd);
                }
            }
        }
        return latestEnd == Long.MIN_VALUE ? 0 : Math.max(0, latestEnd) + MARGIN_NANOS;
    }
}
