package io.brokest.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.brokest.Brokest;
import io.brokest.Task;
import io.brokest.TaskOptions;
import io.brokest.internal.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task that ignores the interrupt of its timeout or cancel must not hold its worker's thread for
 * ever: the tasks behind it run, the log says where it is stuck, and a worker with more such threads
 * than threads stops so that a supervisor restarts it. The tasks here wait for a file the test
 * creates, ignoring interrupts, so they end when the test says (and use no CPU meanwhile).
 */
@Timeout(60)
class TasksThatIgnoreInterruptsTest {
    @TempDir
    Path dir;

    private final LogCapture log = new LogCapture();

    /** A task that returns only once the file exists, whatever interrupts it meanwhile. */
    private static Task<String> ignoringInterruptsUntil(Path file) {
        return ignoringInterruptsUntil(file, null);
    }

    /** As above, creating {@code started} first (if given) so the test knows the task's code runs. */
    private static Task<String> ignoringInterruptsUntil(Path file, Path started) {
        String path = file.toString();
        String startedPath = started == null ? null : started.toString();
        return () -> {
            if (startedPath != null) {
                Files.createFile(Path.of(startedPath));
            }
            while (!Files.exists(Path.of(path))) {
                Thread.interrupted(); // swallowed: this is the bug under test
                LockSupport.parkNanos(1_000_000);
            }
            return "ended";
        };
    }

    private static WorkerEngine oneThreadWorker() {
        return new WorkerEngine(new WorkerConfig("tcp://127.0.0.1:*", 1, 1, 1 << 20, 1000, 3, 5_000, 1 << 20));
    }

    @Test
    void aTaskThatIgnoresItsTimeoutIsAbandonedAndTheTasksBehindItRun() throws Exception {
        Path release = dir.resolve("release");
        WorkerEngine worker = oneThreadWorker();
        String logged = log.during(() -> {
            try (worker; Brokest brokest = Brokest.connect(worker.endpoint())) {
                TaskOptions shortTimeout = TaskOptions.defaults().withTimeout(Duration.ofMillis(300));
                // a task that obeys its interrupt is not reported, nor replaced
                CompletableFuture<String> obeying = brokest.submit(() -> {
                    Thread.sleep(60_000);
                    return "slept";
                }, shortTimeout);
                assertFailsWithTimeout(obeying);

                CompletableFuture<String> stuck = brokest.submit(ignoringInterruptsUntil(release), shortTimeout);
                assertFailsWithTimeout(stuck);
                // the worker's only thread is still held; without a new one this never runs
                assertThat(brokest.submit(() -> "behind it").get(20, TimeUnit.SECONDS)).isEqualTo("behind it");
                assertThat(log.awaitText("Make the task end when interrupted")).isTrue();
                assertThat(worker.taskThreads().getCorePoolSize()).isEqualTo(2);

                Files.createFile(release);
                assertThat(log.awaitText("which had ignored its interrupt, ended")).isTrue();
                // logged after the pool shrank back, under the same lock
                assertThat(worker.taskThreads().getCorePoolSize()).isEqualTo(1);
                assertThat(brokest.submit(() -> 6 * 7).get(20, TimeUnit.SECONDS)).isEqualTo(42);
                assertThat(worker.whenStopped()).isNotDone();
            }
        });
        assertThat(logged.split("ignored its interrupt:", -1)).hasSize(2); // one report: the stuck task's
        assertThat(logged)
                .contains("ignored its interrupt: ")
                // the client's timer and the worker's race: the first to fire interrupts the task
                .containsAnyOf("ms after its timeout passed, it still runs", "ms after its client cancelled it, it")
                .contains("TasksThatIgnoreInterruptsTest.lambda$ignoringInterruptsUntil") // where it is stuck
                .contains("a new thread takes its place (1 such thread(s) now; past 1 the worker stops")
                .contains("its thread is back (0 such thread(s) left)");
    }

    @Test
    void aCancelledTaskThatIgnoresItsInterruptIsReportedWithItsCancel() throws Exception {
        Path release = dir.resolve("release");
        WorkerEngine worker = oneThreadWorker();
        try {
            String logged = log.during(() -> {
                try (Brokest brokest = Brokest.connect(worker.endpoint())) {
                    Path started = dir.resolve("started");
                    CompletableFuture<String> stuck;
                    try (WatchService watch = dir.getFileSystem().newWatchService()) {
                        dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
                        stuck = brokest.submit(ignoringInterruptsUntil(release, started));
                        awaitCreated(watch, started);
                    }
                    stuck.cancel(true);
                    assertThat(brokest.submit(() -> "behind it").get(20, TimeUnit.SECONDS)).isEqualTo("behind it");
                    assertThat(log.awaitText("Make the task end when interrupted")).isTrue();
                }
            });
            assertThat(logged).contains("ms after its client cancelled it, it still runs");
        } finally {
            Files.createFile(release);
            worker.close();
        }
    }

    @Test
    void aWorkerWithMoreStuckTasksThanThreadsStopsAndSaysWhy() throws Exception {
        Path release = dir.resolve("release");
        WorkerEngine worker = oneThreadWorker();
        try {
            log.during(() -> {
                try (Brokest brokest = Brokest.builder().workers(worker.endpoint())
                        .closeTimeout(Duration.ofSeconds(1)).build()) {
                    TaskOptions shortTimeout = TaskOptions.defaults().withTimeout(Duration.ofMillis(300));
                    assertFailsWithTimeout(brokest.submit(ignoringInterruptsUntil(release), shortTimeout));
                    assertThat(log.awaitText("1 such thread(s) now")).isTrue();
                    assertThat(worker.whenStopped()).isNotDone(); // one is replaced
                    assertFailsWithTimeout(brokest.submit(ignoringInterruptsUntil(release), shortTimeout));
                    assertThatThrownBy(() -> worker.whenStopped().get(20, TimeUnit.SECONDS))
                            .isInstanceOf(ExecutionException.class)
                            .cause().hasMessageContaining("2 tasks ignored their interrupts and still hold their"
                                    + " threads, more than this worker's 1")
                            .hasMessageContaining("TasksThatIgnoreInterruptsTest.lambda$ignoringInterruptsUntil");
                }
            });
            assertThat(worker.isClosed()).isTrue();
        } finally {
            Files.createFile(release);
            worker.close();
        }
    }

    private static void assertFailsWithTimeout(CompletableFuture<String> task) {
        assertThatThrownBy(() -> task.get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TimeoutException.class);
    }

    /** Waits, 20 s at most, for the watch (registered on the file's directory) to report the file created. */
    private static void awaitCreated(WatchService watch, Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(file)) {
            long left = deadline - System.nanoTime();
            assertThat(left).as(file + " not created within 20 s").isPositive();
            WatchKey key = watch.poll(left, TimeUnit.NANOSECONDS);
            if (key != null) {
                key.pollEvents();
                key.reset();
            }
        }
    }
}
