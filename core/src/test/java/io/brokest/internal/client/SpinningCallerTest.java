package io.brokest.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.brokest.BrokestWorker;
import io.brokest.Task;
import io.brokest.TaskOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
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

    @Test
    void anInterruptThatLandsWhileTheCallerReadsTheSocketsIsKept() throws Exception {
        assumeTrue(SpinWait.maxSpinners() > 0, "a one-core machine never spins");
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(2).start();
             ClientEngine client = new ClientEngine(TestClients.config(worker.endpoint(), "interrupted-spinner"),
                     Duration.ofSeconds(30), Duration.ofMillis(10))) {
            Task<Integer> quick = () -> 1;
            for (int i = 0; i < 20; i++) {
                client.submit(quick, TaskOptions.defaults(), "a quick task").get(10, TimeUnit.SECONDS);
            }
            // JeroMQ clears a thread's interrupt when it meets it, so one that lands while the spinner
            // is inside a socket call must be put back; 5 ms tasks keep the client spinning
            for (int attempt = 0; attempt < 20; attempt++) {
                Task<Integer> fiveMillis = () -> {
                    Thread.sleep(5);
                    return 5;
                };
                CompletableFuture<Integer> future = client.submit(fiveMillis, TaskOptions.defaults(), "a 5 ms task");
                CompletableFuture<List<Object>> outcome = new CompletableFuture<>();
                AtomicBoolean joined = new AtomicBoolean();
                AtomicBoolean interruptSent = new AtomicBoolean();
                Thread caller = new Thread(() -> {
                    Object value;
                    try {
                        value = future.join();
                    } catch (RuntimeException e) {
                        value = e;
                    }
                    joined.set(true);
                    while (!interruptSent.get()) { // not a blocking wait: it would take the interrupt
                        Thread.onSpinWait();
                    }
                    outcome.complete(List.of(value, Thread.currentThread().isInterrupted()));
                }, "joining-spinner");
                caller.start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (SpinWait.spinners() == 0 && !joined.get()) {
                    assertThat(System.nanoTime() < deadline).as("the caller spins or is done").isTrue();
                    Thread.onSpinWait();
                }
                caller.interrupt();
                interruptSent.set(true);
                assertThat(outcome.get(10, TimeUnit.SECONDS)).as("join's value, and the caller's interrupt flag")
                        .containsExactly(5, true);
            }
        }
    }
}
