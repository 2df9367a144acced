package io.brokest.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.brokest.Brokest;
import io.brokest.TaskOptions;
import io.brokest.WorkerLostException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault injection driving the client's delivery guarantees: a task whose worker is killed or frozen is
 * re-run on the other worker, or fails with WorkerLostException when it may not be re-run; a slowed
 * worker makes a task time out.
 *
 * <p>To know which worker the task lands on without racing it, both workers start slowed down; once
 * one holds the task, the other is set back to full speed, then the first is killed or frozen. The
 * re-run can only be sent after the loss is noticed, so it always runs at full speed.
 */
@Timeout(30)
class FaultInjectionTest {
    private static final Duration HEARTBEAT = Duration.ofMillis(100);
    /** Loss is noticed after 500 ms: fast, yet a loaded 2-core machine does not flap. */
    private static final int LIVENESS = 5;
    private static final Duration STUCK = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(10);

    BrokestWorkers workers;
    Brokest brokest;

    @BeforeEach
    void start() {
        workers = BrokestWorkers.start(2, InProcessWorker.builder().threads(1).heartbeat(HEARTBEAT, LIVENESS));
        brokest = workers.client();
    }

    @AfterEach
    void stop() {
        workers.close();
    }

    /** Submits a task and returns once a worker holds it; the other worker runs at full speed. */
    private InProcessWorker submitAndFindItsWorker(CompletableFuture<?>[] future, TaskOptions options)
            throws Exception {
        for (InProcessWorker w : workers) {
            w.slowDown(STUCK);
        }
        future[0] = brokest.submit(() -> "ran", options);
        InProcessWorker victim = workers.awaitWorkerRunningTask(WAIT);
        for (InProcessWorker w : workers) {
            if (w != victim) {
                w.slowDown(Duration.ZERO);
            }
        }
        return victim;
    }

    @Test
    void killingTheWorkerRunningATaskReRunsItOnTheOther() throws Exception {
        CompletableFuture<?>[] f = new CompletableFuture<?>[1];
        InProcessWorker victim = submitAndFindItsWorker(f, TaskOptions.defaults());
        victim.kill();
        assertThat(f[0].get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("ran");
        assertThat(victim.isAlive()).isFalse();
    }

    @Test
    void freezingTheWorkerRunningATaskReRunsItOnTheOther() throws Exception {
        CompletableFuture<?>[] f = new CompletableFuture<?>[1];
        InProcessWorker victim = submitAndFindItsWorker(f, TaskOptions.defaults());
        victim.freeze();
        assertThat(f[0].get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("ran");
        assertThat(victim.isFrozen()).isTrue();
        assertThat(victim.runningTasks()).as("the frozen worker still holds its copy").isEqualTo(1);
    }

    @Test
    void killedWorkerWithMaxRetriesZeroFailsTheTaskWithWorkerLost() throws Exception {
        CompletableFuture<?>[] f = new CompletableFuture<?>[1];
        InProcessWorker victim = submitAndFindItsWorker(f, TaskOptions.defaults().withMaxRetries(0));
        victim.kill();
        assertThatThrownBy(() -> f[0].get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(WorkerLostException.class)
                .hasMessageContaining(victim.endpoint())
                .hasMessageContaining("maxRetries is 0");
    }

    @Test
    void frozenWorkerWithMaxRetriesZeroFailsTheTaskWithWorkerLost() throws Exception {
        CompletableFuture<?>[] f = new CompletableFuture<?>[1];
        InProcessWorker victim = submitAndFindItsWorker(f, TaskOptions.defaults().withMaxRetries(0));
        victim.freeze();
        assertThatThrownBy(() -> f[0].get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(WorkerLostException.class)
                .hasMessageContaining("silent for");
    }

    @Test
    void aTaskSentToAResumedWorkerRunsThere() throws Exception {
        InProcessWorker only = workers.get(0);
        workers.get(1).kill();
        only.freeze();
        CompletableFuture<String> f = brokest.submit(() -> "after resume");
        // no live worker answers: the task waits (it is not lost: it was never sent)
        assertThatThrownBy(() -> f.get(2 * LIVENESS * HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(TimeoutException.class);
        only.resume();
        assertThat(f.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("after resume");
        assertThat(brokest.submit(() -> 1 + 1).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(2);
    }

    @Test
    void aSlowedWorkerMakesATaskTimeOut() throws Exception {
        for (InProcessWorker w : workers) {
            w.slowDown(STUCK);
        }
        CompletableFuture<String> f = brokest.submit(() -> "too late",
                TaskOptions.defaults().withTimeout(Duration.ofMillis(300)));
        assertThatThrownBy(() -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(TimeoutException.class)
                .hasMessageContaining("timeout of 300 ms");
        for (InProcessWorker w : workers) {
            w.slowDown(Duration.ZERO);
        }
        assertThat(brokest.submit(() -> "on time", TaskOptions.defaults().withTimeout(WAIT))
                .get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("on time");
    }

    @Test
    void faultInjectionRejectsWhatMakesNoSense() {
        InProcessWorker w = workers.get(0);
        assertThatThrownBy(() -> w.slowDown(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-0.001S");
        w.kill();
        w.kill(); // idempotent
        assertThatThrownBy(w::freeze).isInstanceOf(IllegalStateException.class).hasMessageContaining("killed");
        w.resume(); // nothing to undo
        assertThat(w.isAlive()).isFalse();
        assertThat(w.runningTasks()).isZero();
    }
}
