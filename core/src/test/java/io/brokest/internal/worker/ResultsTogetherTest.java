package io.brokest.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.brokest.Brokest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Results that wait in the worker's outbox leave together, as one ZeroMQ message of several frames
 * (protocol version 2), and the client reads every frame of it: had it read only the first, as a
 * version-1 client did, all but one of these futures would never complete.
 */
@Timeout(60)
class ResultsTogetherTest {
    @Test
    void resultsQueuedTogetherAllReachTheirFutures() throws Exception {
        int tasks = 6;
        WorkerConfig config = new WorkerConfig("tcp://127.0.0.1:*", tasks, 0, 1 << 20, 1_000, 5, 10_000, 1 << 24);
        try (WorkerEngine worker = new WorkerEngine(config);
             Brokest brokest = Brokest.builder().workers(worker.endpoint()).heartbeat(Duration.ofSeconds(2), 5)
                     .build()) {
            assertThat(brokest.submit(() -> "warm").get(10, TimeUnit.SECONDS)).isEqualTo("warm");
            List<CompletableFuture<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                int k = i;
                futures.add(brokest.submit(() -> {
                    Thread.sleep(300);
                    return k * 7;
                }));
            }
            awaitRunning(worker, tasks);
            worker.freeze(); // the socket thread stops; the tasks end and their results wait in the outbox
            awaitRunning(worker, 0);
            assertThat(futures).noneMatch(CompletableFuture::isDone);
            worker.resume();
            for (int i = 0; i < tasks; i++) {
                assertThat(futures.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(i * 7);
            }
        }
    }

    private static void awaitRunning(WorkerEngine worker, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (worker.runningTasks() != count && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertThat(worker.runningTasks()).as("tasks running on the worker").isEqualTo(count);
    }
}
