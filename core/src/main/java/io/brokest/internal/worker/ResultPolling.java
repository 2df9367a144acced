package io.brokest.internal.worker;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Whether the worker's socket thread looks for finished results every {@link #POLL_NANOS} rather than
 * being woken for each burst of them. It polls while tasks run that both take long enough for their
 * results to wait for {@link ResultBatching}'s window anyway, and mostly wait themselves (on I/O, a
 * remote call, a sleep): over the last {@link #SAMPLE_NANOS}, this process used less than half the
 * CPU its running tasks could have used. Task threads then leave their results without waking it
 * ({@code Mailbox.post} with a delay), except the last task to end, whose result leaves at once.
 *
 * <p>Why: on the 2-core VM this was measured on, a task thread that wakes the socket thread pays for
 * it before its next task starts (the gap between two tasks on a thread: 18 against 11 us), and the
 * worker's sleepers woke later than a local pool's (mean overshoot of a 10 ms sleep 185 against 145
 * us). With the poll they woke as punctually as the pool's (141 against 142 us), and 1,000 tasks of
 * 10 ms on 2 workers x 10 threads ended 1.9 ms after the pool's instead of 4.1 ms, at the same CPU per
 * task (the polls replace the wake-ups). The paired probes are in {@code samples/BENCH-NOTES.md}. The
 * wake-ups a poll spends (1,000 a second) cost CPU that waiting tasks leave idle; tasks that use their
 * CPU do not get them, since there each one would take a core from a task.
 *
 * <p>Socket thread only, apart from construction.
 */
final class ResultPolling {
    /** How often the socket thread looks while it polls: also the longest a result waits for it. */
    static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How often the process's CPU time is read to tell waiting tasks from busy ones. */
    static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** This process's CPU time in nanoseconds, or a negative value where the JVM cannot tell. */
    private final LongSupplier processCpuNanos;
    private final int cores;
    private long sampledAt;
    private long cpuAtSample = -1;
    private boolean tasksWait;

    /** Polls where this JVM can read its own CPU time (HotSpot's {@code com.sun.management} bean), never elsewhere. */
    static ResultPolling forThisProcess() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return new ResultPolling(os::getProcessCpuTime, Runtime.getRuntime().availableProcessors());
        }
        return new ResultPolling(() -> -1, 1);
    }

    /** A policy that never polls: where it is switched off. */
    static ResultPolling never() {
        return new ResultPolling(() -> -1, 1);
    }

    ResultPolling(LongSupplier processCpuNanos, int cores) {
        this.processCpuNanos = processCpuNanos;
        this.cores = cores;
    }

    /**
     * At {@code now} ({@link System#nanoTime()}), with {@code tasksRunning} tasks on task threads: the
     * longest the socket thread may wait without looking, {@link #POLL_NANOS} or {@link Long#MAX_VALUE}.
     */
    long maxWaitNanos(long now, Iterable<Session> sessions, int tasksRunning) {
        if (tasksRunning == 0 || !runsBatchedTasks(sessions)) {
            // idle time is not the tasks': the next busy spell samples afresh, and meanwhile keeps the
            // last spell's verdict, so a worker of waiting tasks polls from their first result on
            cpuAtSample = -1;
            return Long.MAX_VALUE;
        }
        if (cpuAtSample < 0 || now - sampledAt >= SAMPLE_NANOS) {
            long cpu = processCpuNanos.getAsLong();
            if (cpu < 0) {
                tasksWait = false;
            } else if (cpuAtSample >= 0) {
                double coresUsed = (double) (cpu - cpuAtSample) / (now - sampledAt);
                tasksWait = coresUsed < 0.5 * Math.min(tasksRunning, cores);
            }
            cpuAtSample = cpu;
            sampledAt = now;
        }
        return tasksWait ? POLL_NANOS : Long.MAX_VALUE;
    }

    /** Whether a task runs here of a client whose results wait for others ({@link ResultBatching}). */
    private static boolean runsBatchedTasks(Iterable<Session> sessions) {
        for (Session session : sessions) {
            if (!session.running.isEmpty() && session.credit.averageNanos() >= ResultBatching.MIN_AVERAGE_NANOS) {
                return true;
            }
        }
        return false;
    }
}
