package io.brokest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The default prefetch follows how long tasks take, end to end: the worker grants more credit (a CREDIT
 * message) while tasks are short, and takes it back when they get long; a fixed prefetch never moves.
 */
@Timeout(60)
class AdaptivePrefetchTest {

    /**
     * {@code runningTasks()} sums ConcurrentHashMap sizes, which are not snapshots: while one task leaves
     * and the next arrives, a read can count both. So a held count can read one high, never more here.
     */
    private static final int SAMPLING_SLACK = 1;

    static Integer noop() {
        return 0;
    }

    /** The workload: a task that takes 20 ms on its worker (not a wait for a condition). */
    static Integer sleep20() throws InterruptedException {
        Thread.sleep(20);
        return 0;
    }

    @Test
    void shortTasksEarnMoreCreditAndLongTasksGiveItBack() throws Exception {
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(1).start();
             Brokest brokest = Brokest.connect(worker.endpoint())) {
            assertThat(worker.capacity()).as("1 thread + the base prefetch of 4").isEqualTo(5);
            runNoops(brokest, 3_000);

            // with the grown credit, all of these are sent before the first one ends
            List<CompletableFuture<Integer>> slow = submitSlow(brokest, 40);
            assertThat(maxHeld(worker, slow)).isEqualTo(40);

            // their 20 ms brought the credit back to 5: the next ones are sent as slots free up (with the
            // credit still grown, all 20 would be there at once)
            List<CompletableFuture<Integer>> next = submitSlow(brokest, 20);
            assertThat(maxHeld(worker, next)).isLessThanOrEqualTo(5 + SAMPLING_SLACK);
        }
    }

    @Test
    void aWorkerWhoseCreditDropsGivesBackTheTasksItHasNotStarted() throws Exception {
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(1).start();
             Brokest brokest = Brokest.connect(worker.endpoint())) {
            runNoops(brokest, 3_000);
            List<CompletableFuture<Integer>> slow = submitSlow(brokest, 40);
            CompletableFuture.anyOf(slow.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);

            // The first 20 ms task cut the credit to 5, and the worker gave the rest back to the client, which
            // sends them again as slots free up: the worker soon holds no more than 5 while most still wait.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean heldFive = false;
            while (!heldFive && System.nanoTime() < deadline) {
                heldFive = worker.runningTasks() <= 5;
            }
            long unfinished = slow.stream().filter(f -> !f.isDone()).count();
            assertThat(heldFive).as("the worker came down to holding 5").isTrue();
            assertThat(unfinished).as("tasks still to run when the worker held 5").isGreaterThan(20);
            for (CompletableFuture<Integer> f : slow) {
                assertThat(f.get(10, TimeUnit.SECONDS)).isZero(); // each given-back task ran, on its next send
            }
        }
    }

    @Test
    void aFixedPrefetchHoldsNoMoreThanItSays() throws Exception {
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(1).prefetch(4).start();
             Brokest brokest = Brokest.connect(worker.endpoint())) {
            runNoops(brokest, 3_000);
            List<CompletableFuture<Integer>> slow = submitSlow(brokest, 20);
            assertThat(maxHeld(worker, slow)).isLessThanOrEqualTo(5 + SAMPLING_SLACK);
        }
    }

    private static void runNoops(Brokest brokest, int n) throws Exception {
        CompletableFuture<?>[] all = new CompletableFuture<?>[n];
        for (int i = 0; i < n; i++) {
            all[i] = brokest.submit(AdaptivePrefetchTest::noop);
        }
        CompletableFuture.allOf(all).get(30, TimeUnit.SECONDS);
    }

    private static List<CompletableFuture<Integer>> submitSlow(Brokest brokest, int n) {
        List<CompletableFuture<Integer>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(brokest.submit(AdaptivePrefetchTest::sleep20));
        }
        return futures;
    }

    /** The most tasks the worker held at once until these futures completed (sampled while they run). */
    private static int maxHeld(BrokestWorker worker, List<CompletableFuture<Integer>> futures) throws Exception {
        CompletableFuture<Void> all = CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]));
        int max = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!all.isDone() && System.nanoTime() < deadline) {
            max = Math.max(max, worker.runningTasks());
            Thread.onSpinWait();
        }
        all.get(1, TimeUnit.SECONDS);
        return max;
    }
}
