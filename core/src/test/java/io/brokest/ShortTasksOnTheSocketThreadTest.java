package io.brokest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An idle worker runs a client's next task on its socket thread once that client's tasks are known to
 * be short (two thread hand-offs fewer per round trip), and a task that breaks the pattern costs no
 * heartbeat, no other task and no socket: the socket's standby thread takes over.
 */
@Timeout(60)
class ShortTasksOnTheSocketThreadTest {
    private static final String SOCKET_THREAD = "brokest-worker-io";

    static String threadName() {
        return Thread.currentThread().getName();
    }

    /** The workload of a task that runs long (not a wait for a condition). */
    static String sleepThenThreadName(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return Thread.currentThread().getName();
    }

    /** A class no task has used yet, so the worker must fetch it while running it. */
    static final class NotYetLoaded implements Task<String> {
        @Override
        public String call() {
            return "fetched and run on " + Thread.currentThread().getName();
        }
    }

    @Test
    void anIdleWorkerRunsShortTasksOnItsSocketThread() throws Exception {
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(2).start();
             Brokest brokest = Brokest.connect(worker.endpoint())) {
            String first = brokest.submit(ShortTasksOnTheSocketThreadTest::threadName).get(10, TimeUnit.SECONDS);
            assertThat(first).as("nothing is known of the client's tasks yet").startsWith("brokest-task-");
            List<String> later = oneAtATime(brokest, 300).subList(200, 300);
            assertThat(later.stream().filter(name -> name.startsWith(SOCKET_THREAD)).count())
                    .as("of the last 100 of 300 no-ops, run one at a time: " + later)
                    .isGreaterThan(50);
        }
    }

    @Test
    void aBusyWorkerKeepsItsSocketThreadForTheSocket() throws Exception {
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(2).start();
             Brokest brokest = Brokest.connect(worker.endpoint())) {
            oneAtATime(brokest, 300);
            CompletableFuture<String> busy = brokest.submit(() -> sleepThenThreadName(2_000));
            waitUntilRunning(worker, 1);
            List<String> meanwhile = oneAtATime(brokest, 20);
            assertThat(busy).as("still running").isNotDone();
            assertThat(meanwhile).allMatch(name -> name.startsWith("brokest-task-"));
            busy.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTaskThatRunsLongOnTheSocketThreadLeavesTheWorkerServing() throws Exception {
        // a worker deaf for 300 ms would be declared lost, and with no retries the task would fail
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(2)
                .heartbeat(Duration.ofMillis(100), 3).start();
             Brokest brokest = Brokest.builder().workers(worker.endpoint())
                     .heartbeat(Duration.ofMillis(100), 3).build()) {
            oneAtATime(brokest, 300);
            CompletableFuture<String> long1 = brokest.submit(() -> sleepThenThreadName(1_500),
                    TaskOptions.defaults().withMaxRetries(0));
            waitUntilRunning(worker, 1);
            List<String> meanwhile = oneAtATime(brokest, 20); // served while the long task runs
            assertThat(long1).as("still running").isNotDone();
            assertThat(meanwhile).hasSize(20);
            assertThat(long1.get(10, TimeUnit.SECONDS)).as("it ran where short tasks ran").startsWith(SOCKET_THREAD);
            assertThat(oneAtATime(brokest, 20)).hasSize(20);
        }
    }

    @Test
    void cancellingATaskOnTheSocketThreadLeavesTheSocketWorking() throws Exception {
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(1).start();
             Brokest brokest = Brokest.connect(worker.endpoint())) {
            for (int round = 0; round < 3; round++) {
                oneAtATime(brokest, 300);
                CompletableFuture<String> cancelled = brokest.submit(() -> sleepThenThreadName(30_000),
                        TaskOptions.defaults().withTimeout(Duration.ofMillis(300)));
                assertThatThrownBy(() -> cancelled.get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
                waitUntilRunning(worker, 0); // interrupted on the worker, and its slot is free again
            }
            assertThat(oneAtATime(brokest, 50)).hasSize(50);
        }
    }

    /** The workload of a task that will not be cancelled: it runs on through interrupts. */
    static String ignoreInterruptsFor(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            try {
                Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
            } catch (InterruptedException ignored) {
                // runs on, as badly written tasks do
            }
        }
        return Thread.currentThread().getName();
    }

    @Test
    void whileATaskThatIgnoresItsCancelHoldsASocketThreadTasksGoToTheTaskThreads() throws Exception {
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(2).start();
             Brokest brokest = Brokest.connect(worker.endpoint())) {
            oneAtATime(brokest, 300);
            CompletableFuture<String> stubborn = brokest.submit(() -> ignoreInterruptsFor(3_000),
                    TaskOptions.defaults().withTimeout(Duration.ofMillis(200)));
            assertThatThrownBy(() -> stubborn.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(TimeoutException.class);
            waitUntilRunning(worker, 0); // reported cancelled, though its thread runs on
            // the socket thread has no standby until that task ends: a long task now would stall the socket
            List<String> meanwhile = oneAtATime(brokest, 20);
            assertThat(meanwhile).allMatch(name -> name.startsWith("brokest-task-"));
        }
    }

    @Test
    void aTaskOfAClassNotUsedBeforeRunsOnTheSocketThreadToo() throws Exception {
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(1).start();
             Brokest brokest = Brokest.connect(worker.endpoint())) {
            oneAtATime(brokest, 300);
            // if its class must be fetched, the socket thread cannot receive it: its standby takes over
            assertThat(brokest.submit(new NotYetLoaded()).get(10, TimeUnit.SECONDS))
                    .startsWith("fetched and run on " + SOCKET_THREAD);
        }
    }

    private static List<String> oneAtATime(Brokest brokest, int count) throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(brokest.submit(ShortTasksOnTheSocketThreadTest::threadName).get(10, TimeUnit.SECONDS));
        }
        return names;
    }

    private static void waitUntilRunning(BrokestWorker worker, int tasks) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (worker.runningTasks() != tasks && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000); // a poll interval, bounded by the deadline
        }
        assertThat(worker.runningTasks()).isEqualTo(tasks);
    }
}
