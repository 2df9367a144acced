package io.brokest.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.brokest.BrokestException;
import io.brokest.BrokestWorker;
import io.brokest.Task;
import io.brokest.TaskOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A submitting thread may send its own task on the client's socket ({@code ClientAgent.sendNow}). If
 * the socket breaks under it, the task must not be left in the dispatcher, unsent and never failed:
 * the client fails it, and every other task, as it does when its own thread meets such an error.
 */
class FailureInSendNowTest {

    @Test
    @Timeout(60)
    void aSocketThatBreaksUnderASubmitterFailsItsTaskInsteadOfLosingIt() throws Exception {
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(1).start()) {
            // several clients: the submitter sends its task itself only when the client's thread is idle
            for (int round = 0; round < 5; round++) {
                ClientConfig config = TestClients.config(worker.endpoint(), "send-fault-" + round);
                try (ClientEngine client = new ClientEngine(config, Duration.ofSeconds(30))) {
                    Task<Integer> answer = () -> 42;
                    assertThat(client.submit(answer, TaskOptions.defaults(), "a warm-up task")
                            .get(10, TimeUnit.SECONDS)).isEqualTo(42);

                    client.injectSendFault(new IllegalStateException("injected socket failure"));
                    CompletableFuture<Integer> doomed = client.submit(answer, TaskOptions.defaults(), "a task");

                    assertThatThrownBy(() -> doomed.get(10, TimeUnit.SECONDS))
                            .isInstanceOf(ExecutionException.class)
                            .cause().isInstanceOf(BrokestException.class)
                            .hasMessageContaining("internal error")
                            .hasMessageContaining("injected socket failure");
                    // the bookkeeping of a completed task runs just after its future completes
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (client.outstandingCount() > 0 && System.nanoTime() < deadline) {
                        LockSupport.parkNanos(1_000_000);
                    }
                    assertThat(client.outstandingCount()).isZero();
                }
            }
        }
    }
}
