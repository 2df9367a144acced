package io.brokest.internal.worker;

import static io.brokest.internal.worker.ResultPolling.POLL_NANOS;
import static io.brokest.internal.worker.ResultPolling.SAMPLE_NANOS;
import static org.assertj.core.api.Assertions.assertThat;

import io.brokest.internal.util.Mailbox;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResultPollingTest {
    private static final long MILLISECOND = 1_000_000;
    private static final long NEVER = Long.MAX_VALUE;

    private final Mailbox<Outgoing> outbox = new Mailbox<>();
    private final List<Session> sessions = new ArrayList<>();
    /** The process's CPU time as the policy reads it: the tests move it. */
    private long cpuNanos;
    /** The host's {idle, total} CPU ticks (10 ms each) as the policy reads them. */
    private long idleTicks;
    private long totalTicks;
    /** How much of the host's 2 cores other processes use. */
    private double othersCores;
    private long now = 5_000 * MILLISECOND;
    private final ResultPolling polling = new ResultPolling(() -> cpuNanos, () -> new long[] {idleTicks, totalTicks}, 2, () -> { });

    @AfterEach
    void closeOutbox() {
        outbox.close();
    }

    /** A client whose tasks have taken {@code averageNanos} here, with {@code running} of them here now. */
    private Session client(long averageNanos, int running) {
        Session session = new Session("key-" + sessions.size(), "client-" + sessions.size(), outbox,
                new ContentStore(1 << 20), 1 << 20, 1_000, 100, new AdaptiveCredit(10, 10, 10, 100));
        session.credit.record(averageNanos, 100);
        for (int i = 0; i < running; i++) {
            session.running.put((long) i, new RunningTask(session, i, 1));
        }
        sessions.add(session);
        return session;
    }

    /** {@code millis} pass, in which the process uses {@code cores} of CPU; returns the policy's answer then. */
    private long after(long millis, double cores, int tasksRunning) {
        now += millis * MILLISECOND;
        cpuNanos += (long) (millis * MILLISECOND * cores);
        long ticks = millis / 10;
        totalTicks += 2 * ticks;
        idleTicks += Math.round(Math.max(0, 2 - cores - othersCores) * ticks);
        return polling.maxWaitNanos(now, sessions, tasksRunning);
    }

    @Test
    void pollsWhileLongTasksRunThatLeaveTheirCpuIdle() {
        client(10 * MILLISECOND, 10);
        assertThat(after(0, 0, 10)).as("nothing sampled yet").isEqualTo(NEVER);
        assertThat(after(SAMPLE_NANOS / MILLISECOND, 0.1, 10)).isEqualTo(POLL_NANOS);
        assertThat(after(1, 0.1, 10)).as("between samples, the verdict holds").isEqualTo(POLL_NANOS);
    }

    @Test
    void doesNotPollWhileTheTasksUseTheirCpu() {
        client(10 * MILLISECOND, 1);
        after(0, 0, 1);
        assertThat(after(100, 0.95, 1)).as("one task busy on its core").isEqualTo(NEVER);
        client(10 * MILLISECOND, 3);
        assertThat(after(100, 1.9, 4)).as("four tasks keeping both cores busy").isEqualTo(NEVER);
        assertThat(after(100, 0.3, 4)).as("the same tasks, now waiting").isEqualTo(POLL_NANOS);
        assertThat(after(100, 1.9, 4)).as("and busy again").isEqualTo(NEVER);
    }

    @Test
    void doesNotPollWhenOtherProcessesKeepTheHostBusy() {
        client(10 * MILLISECOND, 10);
        after(0, 0, 10);
        othersCores = 1.8;
        assertThat(after(100, 0.1, 10)).as("waiting tasks, but less than half a core idle").isEqualTo(NEVER);
        othersCores = 1.2;
        assertThat(after(100, 0.1, 10)).as("0.7 cores idle").isEqualTo(POLL_NANOS);
    }

    @Test
    void withoutTheHostsFiguresTheProcessAloneDecides() {
        client(10 * MILLISECOND, 10);
        ResultPolling processOnly = new ResultPolling(() -> cpuNanos, () -> null, 2, () -> { });
        processOnly.maxWaitNanos(now, sessions, 10);
        othersCores = 2;
        now += SAMPLE_NANOS;
        cpuNanos += SAMPLE_NANOS / 10;
        assertThat(processOnly.maxWaitNanos(now, sessions, 10)).isEqualTo(POLL_NANOS);
    }

    @Test
    void readsTheHostsIdleAndTotalTicksFromProcStat() {
        String stat = "cpu  617870 252 194980 9650333 761 0 33295 7 11 0\ncpu0 308935 126 97490 4825166 380 0 16647 3 5 0\n";
        assertThat(parse(stat)).containsExactly(9650333L + 761,
                617870L + 252 + 194980 + 9650333 + 761 + 0 + 33295 + 7);
        assertThat(parse("cpu  1 2 3 4")).containsExactly(4L, 10L); // an old kernel: no iowait
        assertThat(parse("intr 1 2 3\n")).isNull();
        assertThat(parse("cpu  1 2")).isNull();
        assertThat(parse("cpu  1 2 x 4 5\n")).isNull();
        assertThat(parse("cpu0 1 2 3 4 5\n")).isNull();
        assertThat(parse("")).isNull();
    }

    private static long[] parse(String stat) {
        byte[] bytes = (stat + "trailing bytes the read left in the buffer").getBytes(StandardCharsets.US_ASCII);
        return HostCpu.parse(bytes, stat.length());
    }

    @Test
    void readsThisHostsTicksWhereLinuxHasThem() throws Exception {
        try (HostCpu host = new HostCpu()) {
            long[] first = host.ticks();
            if (!java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/stat"))) {
                assertThat(first).as("no /proc/stat: unknown").isNull();
                return;
            }
            assertThat(first).hasSize(2);
            assertThat(first[0]).isPositive().isLessThanOrEqualTo(first[1]);
            long deadline = System.nanoTime() + 10_000 * MILLISECOND;
            long[] later = host.ticks();
            while (later[1] == first[1] && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // a tick is 10 ms of one core
                later = host.ticks();
            }
            assertThat(later[1]).as("the counters move (read again from the start of the file)").isGreaterThan(first[1]);
            assertThat(later[0]).isGreaterThanOrEqualTo(first[0]);
        }
    }

    @Test
    void doesNotPollForShortTasksWhoseResultsLeaveAtOnceOrWhenNothingRuns() {
        client(ResultBatching.MIN_AVERAGE_NANOS / 2, 10);
        after(0, 0, 10);
        assertThat(after(100, 0.1, 10)).as("short tasks wake the socket thread with each result").isEqualTo(NEVER);
        sessions.clear();
        Session longTasks = client(10 * MILLISECOND, 0);
        assertThat(after(100, 0.1, 0)).as("an idle worker").isEqualTo(NEVER);
        longTasks.running.put(1L, new RunningTask(longTasks, 1, 1));
        assertThat(after(0, 0, 1)).isEqualTo(NEVER);
        assertThat(after(100, 0.05, 1)).isEqualTo(POLL_NANOS);
    }

    @Test
    void anIdleSpellKeepsTheVerdictAndIsNotCountedAsTheTasksTime() {
        Session session = client(10 * MILLISECOND, 10);
        after(0, 0, 10);
        assertThat(after(100, 0.1, 10)).isEqualTo(POLL_NANOS);
        session.running.clear();
        assertThat(after(5_000, 0, 0)).isEqualTo(NEVER);
        session.running.put(1L, new RunningTask(session, 1, 1));
        assertThat(after(0, 0, 1)).as("the next batch polls from its first result on").isEqualTo(POLL_NANOS);
        // busy from here on: were the idle 5 s counted, the process would seem to have used little CPU
        assertThat(after(100, 1.0, 1)).isEqualTo(NEVER);
    }

    @Test
    void neverPollsWhereTheJvmCannotTellItsCpuTime() {
        client(10 * MILLISECOND, 10);
        ResultPolling blind = new ResultPolling(() -> -1, () -> new long[] {idleTicks, totalTicks}, 2, () -> { });
        assertThat(blind.maxWaitNanos(now, sessions, 10)).isEqualTo(NEVER);
        assertThat(blind.maxWaitNanos(now + SAMPLE_NANOS, sessions, 10)).isEqualTo(NEVER);
        assertThat(ResultPolling.never().maxWaitNanos(now + 2 * SAMPLE_NANOS, sessions, 10)).isEqualTo(NEVER);
    }
}
