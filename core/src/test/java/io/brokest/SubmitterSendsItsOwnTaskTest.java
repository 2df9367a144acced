package io.brokest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * While the client's socket thread waits for input, a submitting thread sends its task on the socket
 * itself. That must lose no wake-up of the socket thread, and survive interrupts of the submitter.
 */
class SubmitterSendsItsOwnTaskTest {

    static Integer plusOne(int i) {
        return i + 1;
    }

    /**
     * With a 60 s heartbeat the client's socket thread otherwise wakes only every 15 s, so a result
     * whose wake-up a submitter swallowed would wait that long, past the 10 s each result is given.
     */
    @Test
    @Timeout(60)
    void resultsArriveWhileSubmittersUseTheSocket() throws Exception {
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(2)
                .heartbeat(Duration.ofSeconds(60), 3).start();
             Brokest brokest = Brokest.builder().workers(worker.endpoint())
                     .heartbeat(Duration.ofSeconds(60), 3).build()) {
            for (int round = 0; round < 20; round++) {
                List<CompletableFuture<Integer>> burst = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    int n = i;
                    burst.add(brokest.submit(() -> plusOne(n)));
                }
                for (int i = 0; i < burst.size(); i++) {
                    assertThat(burst.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i + 1);
                }
                for (int i = 0; i < 50; i++) {
                    int n = i;
                    assertThat(brokest.submit(() -> plusOne(n)).get(10, TimeUnit.SECONDS)).isEqualTo(i + 1);
                }
            }
        }
    }

    @Test
    @Timeout(60)
    void anInterruptedSubmitterKeepsItsInterruptAndItsTaskRuns() throws Exception {
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(2).start();
             Brokest brokest = Brokest.builder().workers(worker.endpoint()).maxPending(1_000, true).build()) {
            assertThat(brokest.submit(() -> plusOne(0)).get(10, TimeUnit.SECONDS)).isEqualTo(1);
            Thread.currentThread().interrupt();
            CompletableFuture<Integer> task = brokest.submit(() -> plusOne(41));
            assertThat(Thread.interrupted()).as("still interrupted after submit").isTrue();
            assertThat(task.get(10, TimeUnit.SECONDS)).isEqualTo(42);
        }
    }

    private static final int SUBMITS = 20_000;

    /**
     * Interrupts may land inside JeroMQ's send on the submitter's thread (EINTR): nothing is lost or
     * broken. They land there in a few of these runs' submits, not in every run.
     */
    @Test
    @Timeout(120)
    void interruptsOfSubmittersLoseNoTaskAndBreakNoSocket() throws Exception {
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(2).start();
             Brokest brokest = Brokest.builder().workers(worker.endpoint()).maxPending(100_000, true).build()) {
            List<CompletableFuture<Integer>> futures = new ArrayList<>();
            AtomicBoolean submitting = new AtomicBoolean(true);
            Thread submitter = new Thread(() -> {
                for (int i = 0; i < SUBMITS; i++) {
                    Thread.interrupted(); // each submit starts uninterrupted; the interrupts come meanwhile
                    int n = i;
                    futures.add(brokest.submit(() -> plusOne(n)));
                    if (i % 50 == 0) {
                        futures.get(i).join(); // lets the client go idle, so the next submit sends itself
                    }
                }
                submitting.set(false);
            }, "interrupted-submitter");
            Thread interrupter = new Thread(() -> {
                while (submitting.get()) {
                    submitter.interrupt();
                    LockSupport.parkNanos(20_000); // an interrupt every few submits, bounded by the loop above
                }
            }, "interrupter");
            submitter.start();
            interrupter.start();
            submitter.join(100_000);
            interrupter.join(10_000);
            assertThat(futures).hasSize(SUBMITS);
            for (int i = 0; i < futures.size(); i++) {
                assertThat(futures.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(i + 1);
            }
            assertThat(brokest.submit(() -> plusOne(1)).get(10, TimeUnit.SECONDS)).isEqualTo(2);
        }
    }
}
