package io.brokest.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.brokest.BrokestWorker;
import io.brokest.Task;
import io.brokest.TaskOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A thread blocked on a short task's future spins and reads the client's sockets itself while the
 * client's socket thread waits ({@code ClientAgent.readForSpinner}), over real sockets to a worker; a
 * client told not to spin never does.
 */
@Timeout(60)
class SpinningCallerTest {

    @Test
    void aCallerWaitingForShortTasksReadsTheirResultsItself() throws Exception {
        assumeTrue(SpinWait.maxSpinners() > 0, "a one-core machine never spins");
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(2).start();
             // the longest limit allowed, so that even a slow machine's round trips count as short
             ClientEngine client = new ClientEngine(TestClients.config(worker.endpoint(), "spinner"),
                     Duration.ofSeconds(30), Duration.ofMillis(10))) {
            for (int i = 0; i < 200; i++) {
                int n = i;
                Task<Integer> square = () -> n * n;
                assertThat(client.submit(square, TaskOptions.defaults(), "a square").get(10, TimeUnit.SECONDS))
                        .isEqualTo(n * n);
            }
            assertThat(client.spinnerReads()).as("results a spinning caller read itself").isPositive();
            assertThat(SpinWait.spinners()).as("no thread spins once every wait is over").isZero();
        }
    }

    @Test
    void aClientToldNotToSpinLeavesTheReadingToItsSocketThread() throws Exception {
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(2).start();
             ClientEngine client = new ClientEngine(TestClients.config(worker.endpoint(), "parker"),
                     Duration.ofSeconds(30), Duration.ZERO)) {
            for (int i = 0; i < 200; i++) {
                int n = i;
                Task<Integer> square = () -> n * n;
                assertThat(client.submit(square, TaskOptions.defaults(), "a square").get(10, TimeUnit.SECONDS))
                        .isEqualTo(n * n);
            }
            assertThat(client.spinnerReads()).isZero();
        }
    }
}
