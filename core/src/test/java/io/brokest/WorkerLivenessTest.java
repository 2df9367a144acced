package io.brokest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client whose heartbeat is shorter than its worker's must not take the worker's normal pauses
 * between pings for silence: a healthy worker busy with a task is not lost.
 */
@Timeout(30)
class WorkerLivenessTest {
    @Test
    void aClientWithAShorterHeartbeatThanItsWorkerDoesNotDeclareItLost() throws Exception {
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(1)
                .heartbeat(Duration.ofMillis(500), 3).start();
             Brokest brokest = Brokest.builder().workers(worker.endpoint())
                     .heartbeat(Duration.ofMillis(50), 3).build()) {
            // The worker pings every 500 ms; the client alone would call 150 ms of silence a loss.
            CompletableFuture<String> f = brokest.submit(() -> {
                Thread.sleep(1_200);
                return "finished";
            }, TaskOptions.defaults().withMaxRetries(0));
            assertThat(f.get(20, TimeUnit.SECONDS)).isEqualTo("finished");
        }
    }
}
