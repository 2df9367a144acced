package io.brokest.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.brokest.Brokest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that declared its only worker lost, then reconnected to it, sends it the task again as a
 * new attempt while the worker is still running the first one. The worker must answer for the
 * attempt the client now waits for; answering for the old one left the future hanging for ever.
 */
@Timeout(30)
class ReconnectToSameWorkerTest {
    @Test
    void aTaskResentToTheWorkerStillRunningItCompletes() throws Exception {
        WorkerConfig config = new WorkerConfig("tcp://127.0.0.1:*", 1, 0, 1 << 20, 50, 3, 10_000, 1 << 24);
        try (WorkerEngine worker = new WorkerEngine(config);
             Brokest brokest = Brokest.builder().workers(worker.endpoint()).heartbeat(Duration.ofMillis(50), 3)
                     .build()) {
            assertThat(brokest.submit(() -> "warm").get(10, TimeUnit.SECONDS)).isEqualTo("warm");
            CompletableFuture<String> f = brokest.submit(() -> {
                Thread.sleep(2_500);
                return "done";
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (worker.runningTasks() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertThat(worker.runningTasks()).as("the task reached the worker").isEqualTo(1);
            worker.freeze();
            // The fault itself, not a wait for something: liveness is judged by elapsed time, so the
            // worker must stay silent well past the client's limit (3 x 50 ms) for the client to give it
            // up and reconnect. Had it not (a stalled machine), the test would pass without exercising
            // the path, never fail falsely.
            Thread.sleep(6 * 3 * 50);
            worker.resume();
            assertThat(f.get(15, TimeUnit.SECONDS)).isEqualTo("done");
        }
    }
}
