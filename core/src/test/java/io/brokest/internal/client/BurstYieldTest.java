package io.brokest.internal.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.brokest.BrokestWorker;
import io.brokest.Task;
import io.brokest.TaskOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A submitting thread yields its core once when a burst of submits has filled every free slot
 * ({@code ClientAgent.sendNow}), so that JeroMQ's I/O thread sends the burst before the caller's loop
 * ends. Callers that submit one task at a time must never pay that yield.
 */
class BurstYieldTest {
    private static final int SLOTS = 3; // one thread and a fixed prefetch of two

    @Test
    @Timeout(60)
    void aBurstBeyondTheFreeSlotsYieldsOnceWhileOneAtATimeNeverYields() throws Exception {
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(1).prefetch(SLOTS - 1).start()) {
            // The submitter sends a burst's tasks itself only while the client's own thread is idle; if
            // that thread wakes (a heartbeat, say) before the slots are full, the burst goes through it
            // and does not yield. So a few clients try, each from an idle start.
            boolean yieldedOnce = false;
            for (int attempt = 0; attempt < 5 && !yieldedOnce; attempt++) {
                ClientConfig config = TestClients.config(worker.endpoint(), "burst-yield-" + attempt);
                try (ClientEngine client = new ClientEngine(config, Duration.ofSeconds(30))) {
                    Task<Integer> answer = () -> 42;
                    for (int i = 0; i < 20; i++) {
                        assertThat(client.submit(answer, TaskOptions.defaults(), "a quick task").get(10, TimeUnit.SECONDS))
                                .isEqualTo(42);
                    }
                    assertThat(client.burstYields()).as("yields of one-at-a-time submits").isZero();

                    awaitIdle(client);
                    List<CompletableFuture<Integer>> futures = new ArrayList<>();
                    for (int i = 0; i < 5 * SLOTS; i++) {
                        futures.add(client.submit(BurstYieldTest::untilCancelled, TaskOptions.defaults(), "a long task"));
                    }
                    long yields = client.burstYields();
                    assertThat(yields).as("yields of one burst, whose tasks all outlast it").isBetween(0L, 1L);
                    yieldedOnce = yields == 1;
                    futures.forEach(f -> f.cancel(true));
                }
            }
            assertThat(yieldedOnce).as("a burst beyond the free slots yielded once").isTrue();
        }
    }

    private static void awaitIdle(ClientEngine client) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!client.agentIdle() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    /** Holds its slot until the test cancels it (the cancel interrupts it on the worker). */
    private static Integer untilCancelled() throws InterruptedException {
        new CountDownLatch(1).await(1, TimeUnit.MINUTES); // the bound only ends a task the test forgot
        return 1;
    }
}
