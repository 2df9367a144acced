package io.brokest.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.brokest.Brokest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Results that wait in the worker's outbox leave together, as one ZeroMQ message of several frames
 * (protocol version 2), and the client reads every frame of it: had it read only the first, as a
 * version-1 client did, all but one of these futures would never complete.
 */
@Timeout(60)
class ResultsTogetherTest {
    @Test
    void resultsQueuedTogetherAllReachTheirFutures(@TempDir Path dir) throws Exception {
        int tasks = 6;
        WorkerConfig config = new WorkerConfig("tcp://127.0.0.1:*", tasks, 0, 1 << 20, 1_000, 5, 10_000, 1 << 24);
        try (WorkerEngine worker = new WorkerEngine(config);
             Brokest brokest = Brokest.builder().workers(worker.endpoint()).heartbeat(Duration.ofSeconds(2), 5)
                     .build()) {
            assertThat(brokest.submit(() -> "warm").get(10, TimeUnit.SECONDS)).isEqualTo("warm");
            // the tasks end when this file appears: a signal that crosses the worker's class loader
            String go = dir.resolve("go").toString();
            List<CompletableFuture<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                int k = i;
                futures.add(brokest.submit(() -> {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (!Files.exists(Path.of(go)) && System.nanoTime() < deadline) {
                        Thread.sleep(1);
                    }
                    return k * 7;
                }));
            }
            awaitRunning(worker, tasks);
            worker.freeze(); // the socket thread stops; the tasks end and their results wait in the outbox
            awaitSocketThreadFrozen(); // freeze() only asks: a task ending before the loop obeys would be sent
            Files.createFile(Path.of(go));
            awaitRunning(worker, 0);
            assertThat(futures).noneMatch(CompletableFuture::isDone);
            worker.resume();
            for (int i = 0; i < tasks; i++) {
                assertThat(futures.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(i * 7);
            }
        }
    }

    /** Until some thread waits in the frozen socket loop, or 20 s pass. */
    private static void awaitSocketThreadFrozen() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (StackTraceElement[] stack : Thread.getAllStackTraces().values()) {
                boolean waiting = false; // in Object.wait, called from awaitThaw: frozen, not passing through
                for (StackTraceElement frame : stack) {
                    waiting |= frame.getClassName().equals("java.lang.Object") && frame.getMethodName().startsWith("wait");
                    if (waiting && frame.getClassName().equals(WorkerLoop.class.getName())
                            && frame.getMethodName().equals("awaitThaw")) {
                        return;
                    }
                }
            }
            Thread.sleep(2);
        }
        throw new AssertionError("the worker's socket thread did not freeze within 20 s");
    }

    /** Polls the worker's count until it matches or 20 s pass; the engine offers nothing to wait on. */
    private static void awaitRunning(WorkerEngine worker, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (worker.runningTasks() != count && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertThat(worker.runningTasks()).as("tasks running on the worker").isEqualTo(count);
    }
}
