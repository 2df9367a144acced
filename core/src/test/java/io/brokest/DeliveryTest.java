package io.brokest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scheduling and delivery against embedded workers: credits across workers, adding and removing
 * workers, retries of the task's own failures, timeouts, cancellation, backpressure, and no worker
 * at all. (Killing real daemon processes is covered by the worker-daemon integration tests.)
 * Tasks leave side effects in files because they run in class loaders of their own: a static
 * field in this class is not the one the task sees.
 */
@Timeout(60)
class DeliveryTest {
    // fast enough to keep tests short, slow enough not to declare a busy worker lost on a loaded 2-core box
    private static final Duration FAST_BEAT = Duration.ofMillis(200);

    private static BrokestWorker worker(int threads) {
        return BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(threads).prefetch(0)
                .heartbeat(FAST_BEAT, 5).start();
    }

    private static Brokest.Builder client() {
        return Brokest.builder().heartbeat(FAST_BEAT, 5);
    }

    static String whereAmI() {
        return Thread.currentThread().getContextClassLoader().getName() + "@"
                + System.identityHashCode(Thread.currentThread().getContextClassLoader());
    }

    @Test
    void spreadsByFreeCapacityAcrossWorkers() throws Exception {
        try (BrokestWorker a = worker(2); BrokestWorker b = worker(2);
             Brokest brokest = client().workers(a.endpoint(), b.endpoint()).build()) {
            // four tasks that each hold a slot until all four run at once: only possible if both
            // workers got two, since each has exactly two slots (prefetch 0)
            Path dir = Files.createTempDirectory("spread");
            List<CompletableFuture<String>> futures = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int k = i;
                futures.add(brokest.submit(() -> {
                    try {
                        Files.createFile(dir.resolve("started-" + k));
                    } catch (java.nio.file.FileAlreadyExistsException reRun) {
                        // re-run after a (false) worker loss: still one distinct task
                    }
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (Files.list(dir).count() < 4 && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                    return Long.toString(Files.list(dir).count());
                }));
            }
            for (CompletableFuture<String> f : futures) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo("4");
            }
            assertThat(a.clientCount()).isEqualTo(1);
            assertThat(b.clientCount()).isEqualTo(1);
        }
    }

    @Test
    void workersCanBeAddedAndRemovedWhileRunning() throws Exception {
        try (BrokestWorker a = worker(2); BrokestWorker b = worker(2);
             Brokest brokest = client().noWorkerTimeout(Duration.ofSeconds(30)).build()) {
            CompletableFuture<String> waiting = brokest.submit(DeliveryTest::whereAmI);
            brokest.addWorker(a.endpoint());
            String onA = waiting.get(30, TimeUnit.SECONDS);
            brokest.addWorker(b.endpoint());
            brokest.removeWorker(a.endpoint());
            // after removal, everything lands on b: a different client loader instance
            String later = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                later = brokest.submit(DeliveryTest::whereAmI).get(30, TimeUnit.SECONDS);
                if (!later.equals(onA)) {
                    break;
                }
            }
            assertThat(later).isNotEqualTo(onA);
            for (int i = 0; i < 10; i++) {
                assertThat(brokest.submit(DeliveryTest::whereAmI).get(30, TimeUnit.SECONDS)).isEqualTo(later);
            }
        }
    }

    static final class Flaky extends IOException {
        Flaky(String message) {
            super(message);
        }
    }

    @Test
    void retriesTheTasksOwnFailuresOnlyWhenAsked(@TempDir Path dir) throws Exception {
        try (BrokestWorker w = worker(2); Brokest brokest = client().workers(w.endpoint()).build()) {
            Path counter = dir.resolve("attempts");
            Task<String> failsTwice = () -> {
                long n;
                synchronized (DeliveryTest.class) {
                    n = Files.exists(counter) ? Long.parseLong(Files.readString(counter)) + 1 : 1;
                    Files.writeString(counter, Long.toString(n));
                }
                if (n < 3) {
                    throw new Flaky("attempt " + n);
                }
                return "succeeded on attempt " + n;
            };
            TaskOptions retrying = TaskOptions.defaults().withRetryOn(Flaky.class)
                    .withFailureRetries(3, Duration.ofMillis(20));
            assertThat(brokest.submit(failsTwice, retrying).get(30, TimeUnit.SECONDS))
                    .isEqualTo("succeeded on attempt 3");

            Files.delete(counter);
            assertThatThrownBy(() -> brokest.submit(failsTwice).get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(Flaky.class).hasMessage("attempt 1");
            Files.delete(counter);
            TaskOptions wrongType = TaskOptions.defaults().withRetryOn(IllegalStateException.class)
                    .withFailureRetries(3, Duration.ofMillis(20));
            assertThatThrownBy(() -> brokest.submit(failsTwice, wrongType).get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(Flaky.class);
        }
    }

    @Test
    void timeoutFailsWithTimeoutExceptionAndInterruptsTheTask(@TempDir Path dir) throws Exception {
        try (BrokestWorker w = worker(1); Brokest brokest = client().workers(w.endpoint()).build()) {
            Path interrupted = dir.resolve("interrupted");
            CompletableFuture<String> f = brokest.submit(() -> {
                try {
                    Thread.sleep(60_000);
                    return "late";
                } catch (InterruptedException e) {
                    Files.createFile(interrupted);
                    throw e;
                }
            }, TaskOptions.defaults().withTimeout(Duration.ofMillis(300)));
            assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(TimeoutException.class).hasMessageContaining("300 ms");
            awaitFile(interrupted);
            // the thread is free again: the single-threaded worker runs the next task
            assertThat(brokest.submit(() -> "next").get(30, TimeUnit.SECONDS)).isEqualTo("next");
        }
    }

    @Test
    void cancelStopsTheTaskOnItsWorker(@TempDir Path dir) throws Exception {
        try (BrokestWorker w = worker(1); Brokest brokest = client().workers(w.endpoint()).build()) {
            Path started = dir.resolve("started");
            Path interrupted = dir.resolve("interrupted");
            CompletableFuture<String> f = brokest.submit(() -> {
                Files.createFile(started);
                try {
                    Thread.sleep(60_000);
                    return "late";
                } catch (InterruptedException e) {
                    Files.createFile(interrupted);
                    throw e;
                }
            });
            awaitFile(started);
            assertThat(f.cancel(true)).isTrue();
            assertThatThrownBy(f::join).isInstanceOf(CancellationException.class);
            awaitFile(interrupted);
            assertThat(brokest.submit(() -> "next").get(30, TimeUnit.SECONDS)).isEqualTo("next");
        }
    }

    @Test
    void maxPendingFailsFastWhenAskedTo() throws Exception {
        try (BrokestWorker w = worker(1);
             Brokest brokest = client().workers(w.endpoint()).maxPending(2, true).build()) {
            CountDownLatch never = new CountDownLatch(1);
            CompletableFuture<Object> a = brokest.submit(() -> { Thread.sleep(60_000); return 1; });
            CompletableFuture<Object> b = brokest.submit(() -> { Thread.sleep(60_000); return 2; });
            assertThatThrownBy(() -> brokest.submit(() -> 3))
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("maxPending");
            a.cancel(true);
            assertThat(brokest.submit(() -> 4).isCompletedExceptionally()).isFalse();
            b.cancel(true);
            never.countDown();
        }
    }

    @Test
    void maxPendingBlocksUntilThereIsRoomByDefault() throws Exception {
        try (BrokestWorker w = worker(1);
             Brokest brokest = client().workers(w.endpoint()).maxPending(1, false).build()) {
            CompletableFuture<Object> first = brokest.submit(() -> { Thread.sleep(60_000); return 1; });
            CompletableFuture<CompletableFuture<Integer>> second = CompletableFuture.supplyAsync(
                    () -> brokest.submit(() -> 2));
            assertThatThrownBy(() -> second.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
            first.cancel(true);
            assertThat(second.get(30, TimeUnit.SECONDS).get(30, TimeUnit.SECONDS)).isEqualTo(2);
        }
    }

    @Test
    void withNoWorkerTasksWaitThenFailClearly() {
        try (Brokest brokest = client().workers("tcp://127.0.0.1:1").noWorkerTimeout(Duration.ofMillis(500))
                .build()) {
            CompletableFuture<Integer> f = brokest.submit(() -> 1);
            assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(WorkerLostException.class)
                    .hasMessageContaining("no worker was reachable")
                    .hasMessageContaining("tcp://127.0.0.1:1");
        }
    }

    @Test
    void closeFailsWhatIsStillRunningAfterItsTimeout() throws Exception {
        BrokestWorker w = worker(2);
        try {
            Brokest brokest = client().workers(w.endpoint()).closeTimeout(Duration.ofMillis(200)).build();
            CompletableFuture<Object> slow = brokest.submit(() -> { Thread.sleep(60_000); return 1; });
            CompletableFuture<Integer> quick = brokest.submit(() -> 2);
            assertThat(quick.get(30, TimeUnit.SECONDS)).isEqualTo(2);
            brokest.close();
            assertThatThrownBy(() -> slow.get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(BrokestException.class).hasMessageContaining("closed");
            assertThatThrownBy(() -> brokest.submit(() -> 3)).isInstanceOf(IllegalStateException.class);
        } finally {
            w.close();
        }
    }

    @Test
    void aCallbackMayCloseTheClientWhichThenDoesNotWaitForThatCallback() throws Exception {
        try (BrokestWorker w = worker(1)) {
            Brokest brokest = client().workers(w.endpoint()).build();
            CompletableFuture<Long> closeMillis = brokest.submit(() -> 1).thenApply(v -> {
                long start = System.nanoTime();
                brokest.close();
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            });
            // not a speed target: before, close() waited 2 s for the callback threads to end, this one
            // among them; now it has nothing to wait for (it takes a few ms)
            assertThat(closeMillis.get(30, TimeUnit.SECONDS)).isLessThan(1_500);
            assertThatThrownBy(() -> brokest.submit(() -> 3)).isInstanceOf(IllegalStateException.class);
        }
    }

    static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " did not appear within 20 s");
            }
            Thread.sleep(10);
        }
    }
}
