package io.brokest.internal.worker;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Whether the worker's socket thread looks for finished results every {@link #POLL_NANOS} rather than
 * being woken for each burst of them. It polls while tasks run that take long enough for their results
 * to wait for {@link ResultBatching}'s window anyway, and that mostly wait themselves (on I/O, a remote
 * call, a sleep), on a host with CPU to spare. Both are judged over the last {@link #SAMPLE_NANOS}:
 * this process used less than half the CPU its running tasks could have used, and at least half a
 * core of the host was idle (where Linux's {@code /proc/stat} tells; without it, the first test
 * alone). Task threads then leave their results without waking it ({@code Mailbox.post} with a
 * delay), except the last task to end, whose result leaves at once.
 *
 * <p>Why: on the 2-core VM this was measured on, a task thread that wakes the socket thread pays for
 * it before its next task starts, and the worker's sleeping tasks woke later than a local pool's
 * (mean overshoot of a 10 ms sleep 185-191 against 145-153 us). With the poll they woke as punctually
 * as the pool's; the figures are in {@code samples/BENCH-NOTES.md}. The poll's 1,000 wake-ups a second
 * cost CPU that waiting tasks leave idle. Where tasks use their CPU, or other processes use the rest,
 * each wake-up would take a core from a task instead (4 CPU-bound tasks on 2 workers of 2 threads on 2
 * cores took 6 % longer with it), so then it does not poll.
 *
 * <p>Socket thread only, apart from construction and {@link #close}.
 */
final class ResultPolling implements AutoCloseable {
    /** How often the socket thread looks while it polls: also the longest a result waits for it. */
    static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How often CPU use is sampled to tell waiting tasks from busy ones. */
    static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** The host must have had this much of a core idle (see {@link #hostHasIdleCore}). */
    static final double MIN_IDLE_CORES = 0.5;

    /** This process's CPU time in nanoseconds, or a negative value where the JVM cannot tell. */
    private final LongSupplier processCpuNanos;
    /** The host's {idle, total} CPU ticks ({@link HostCpu}), or null where unknown. */
    private final Supplier<long[]> hostTicks;
    private final int cores;
    private final Runnable onClose;
    private long sampledAt;
    private long cpuAtSample = -1;
    private long[] hostAtSample;
    private boolean tasksWait;

    /**
     * Polls where this JVM can read its own CPU time (HotSpot's {@code com.sun.management} bean), never
     * elsewhere. The bean and {@code /proc/stat} are looked up at the first sample, not at start: the
     * bean's classes take about 50 ms to load, which a worker that never runs long tasks need not pay.
     */
    static ResultPolling forThisProcess() {
        HostCpu host = new HostCpu();
        return new ResultPolling(processCpuClock(), host::ticks, Runtime.getRuntime().availableProcessors(),
                host::close);
    }

    /** This process's CPU time in nanoseconds from the bean, found at the first call; -1 without one. */
    private static LongSupplier processCpuClock() {
        return new LongSupplier() {
            private LongSupplier clock; // socket thread only

            @Override
            public long getAsLong() {
                if (clock == null) {
                    clock = ManagementFactory.getOperatingSystemMXBean()
                            instanceof com.sun.management.OperatingSystemMXBean os ? os::getProcessCpuTime : () -> -1;
                }
                return clock.getAsLong();
            }
        };
    }

    /** A policy that never polls: where it is switched off. */
    static ResultPolling never() {
        return new ResultPolling(() -> -1, () -> null, 1, () -> { });
    }

    ResultPolling(LongSupplier processCpuNanos, Supplier<long[]> hostTicks, int cores, Runnable onClose) {
        this.processCpuNanos = processCpuNanos;
        this.hostTicks = hostTicks;
        this.cores = cores;
        this.onClose = onClose;
    }

    /** The worker stopped: releases what the samples read from (a file descriptor). */
    @Override
    public void close() {
        onClose.run();
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
            long[] host = hostTicks.get();
            if (cpu < 0) {
                tasksWait = false;
            } else if (cpuAtSample >= 0) {
                double coresUsed = (double) (cpu - cpuAtSample) / (now - sampledAt);
                tasksWait = coresUsed < 0.5 * Math.min(tasksRunning, cores) && hostHasIdleCore(host);
            }
            cpuAtSample = cpu;
            hostAtSample = host;
            sampledAt = now;
        }
        return tasksWait ? POLL_NANOS : Long.MAX_VALUE;
    }

    /**
     * Whether the host's idle share since the last sample, counted in the cores this JVM may use, came
     * to {@link #MIN_IDLE_CORES} (in a container limited to fewer cores than the host, a rough guide:
     * the process test is what keeps CPU-bound tasks there from polling).
     */
    private boolean hostHasIdleCore(long[] host) {
        if (host == null || hostAtSample == null) {
            return true; // unknown: the process's own use decides
        }
        long total = host[1] - hostAtSample[1];
        return total <= 0 || (double) (host[0] - hostAtSample[0]) / total * cores >= MIN_IDLE_CORES;
    }

    /** Whether a task runs here of a client whose results wait for others ({@link ResultBatching}). */
    private static boolean runsBatchedTasks(Iterable<Session> sessions) {
        for (Session session : sessions) {
            if (!session.running.isEmpty() && ResultBatching.batches(session)) {
                return true;
            }
        }
        return false;
    }
}
