package io.brokest.internal.worker;

import static io.brokest.internal.worker.ResultBatching.MARGIN_NANOS;
import static io.brokest.internal.worker.ResultBatching.WINDOW_NANOS;
import static org.assertj.core.api.Assertions.assertThat;

import io.brokest.internal.util.Mailbox;
import io.brokest.internal.wire.Message;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResultBatchingTest {
    private static final long MICROSECOND = 1_000;
    private static final long MILLISECOND = 1_000_000;
    /** Any moment: start times and "now" are set relative to it. */
    private static final long T0 = 5_000 * MILLISECOND;

    private final Mailbox<Outgoing> outbox = new Mailbox<>();
    private final List<Session> sessions = new ArrayList<>();
    private long nextTaskId;

    @AfterEach
    void closeOutbox() {
        outbox.close();
    }

    /** A client whose tasks have taken {@code averageNanos} here. */
    private Session client(long averageNanos) {
        Session session = new Session("key-" + sessions.size(), "client-" + sessions.size(), outbox,
                new ContentStore(1 << 20), 1 << 20, 1_000, 100, new AdaptiveCredit(10, 10, 10, 100));
        session.credit.record(averageNanos, 100);
        assertThat(session.credit.averageNanos()).isEqualTo(averageNanos);
        sessions.add(session);
        return session;
    }

    private RunningTask startedAt(Session session, long startNanos) {
        RunningTask task = new RunningTask(session, ++nextTaskId, 1);
        session.running.put(task.taskId, task);
        assertThat(task.markStarted(startNanos)).isTrue();
        return task;
    }

    private long hold(long now) {
        return ResultBatching.holdNanos(sessions, now);
    }

    @Test
    void resultsLeaveAtOnceWhenNothingElseRuns() {
        Session session = client(10 * MILLISECOND);
        assertThat(hold(T0)).isZero();
        RunningTask queued = new RunningTask(session, ++nextTaskId, 1); // handed to the pool, not started yet
        session.running.put(queued.taskId, queued);
        assertThat(hold(T0)).as("a task that has not started").isZero();
    }

    @Test
    void resultsWaitUntilJustAfterATaskExpectedToEndWithinTheWindow() {
        startedAt(client(10 * MILLISECOND), T0);
        long end = T0 + 10 * MILLISECOND;
        assertThat(hold(end - 300 * MICROSECOND)).isEqualTo(300 * MICROSECOND + MARGIN_NANOS);
        assertThat(hold(end - WINDOW_NANOS)).as("the longest wait").isEqualTo(WINDOW_NANOS + MARGIN_NANOS);
    }

    @Test
    void resultsWaitForTheLastOfTheEndsWithinTheWindowAcrossClients() {
        Session tenMs = client(10 * MILLISECOND);
        startedAt(tenMs, T0);
        startedAt(tenMs, T0 + 150 * MICROSECOND);
        startedAt(client(20 * MILLISECOND), T0 - 9_700 * MICROSECOND); // ends at T0 + 10.3 ms
        startedAt(tenMs, T0 + 2 * MILLISECOND); // ends long after the window
        long now = T0 + 10 * MILLISECOND - 100 * MICROSECOND;
        assertThat(hold(now)).isEqualTo(400 * MICROSECOND + MARGIN_NANOS);
    }

    @Test
    void resultsDoNotWaitForTasksFarFromTheirEndOrWellPastIt() {
        startedAt(client(10 * MILLISECOND), T0);
        long end = T0 + 10 * MILLISECOND;
        assertThat(hold(end - 2 * MILLISECOND)).isZero();
        assertThat(hold(end - WINDOW_NANOS - 1)).isZero();
        assertThat(hold(end + 300 * MICROSECOND)).as("running late: its end is no longer predictable").isZero();
        assertThat(hold(end + 50 * MICROSECOND)).as("a little late: it may be posting now").isEqualTo(MARGIN_NANOS);
    }

    @Test
    void shortTasksAndFinishedTasksAreNotWaitedFor() {
        long shortAverage = ResultBatching.MIN_AVERAGE_NANOS - 1;
        startedAt(client(shortAverage), T0);
        assertThat(hold(T0 + shortAverage - 100 * MICROSECOND)).isZero();

        sessions.clear();
        RunningTask finished = startedAt(client(10 * MILLISECOND), T0);
        long now = T0 + 10 * MILLISECOND - 100 * MICROSECOND;
        assertThat(hold(now)).isPositive();
        assertThat(finished.finish(Message.Result.OK, new byte[0])).isTrue();
        assertThat(hold(now)).isZero();
    }
}
