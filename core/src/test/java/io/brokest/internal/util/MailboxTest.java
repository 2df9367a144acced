package io.brokest.internal.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MailboxTest {
    private static final long LONG_WAIT = TimeUnit.SECONDS.toNanos(10);

    private final Mailbox<Integer> mailbox = new Mailbox<>();

    @AfterEach
    void close() {
        mailbox.close();
    }

    @Test
    void everyPostWakesAnOwnerWaitingForIt() throws Exception {
        int rounds = 2_000;
        Semaphore consumed = new Semaphore(1);
        AtomicReference<Throwable> posterFailed = new AtomicReference<>();
        Thread poster = new Thread(() -> {
            try {
                for (int i = 0; i < rounds; i++) {
                    consumed.acquire(); // races the owner's next await: before, during or after it
                    mailbox.post(i);
                }
            } catch (Throwable t) {
                posterFailed.set(t);
            }
        });
        poster.start();
        List<Integer> received = new ArrayList<>();
        long slowest = 0;
        while (received.size() < rounds) {
            long start = System.nanoTime();
            mailbox.await(LONG_WAIT);
            slowest = Math.max(slowest, System.nanoTime() - start);
            int before = received.size();
            mailbox.drain(received::add);
            consumed.release(received.size() - before);
            assertThat(slowest).as("a lost wake-up leaves the owner waiting for its whole timeout")
                    .isLessThan(LONG_WAIT / 2);
        }
        poster.join();
        assertThat(posterFailed.get()).isNull();
        assertThat(received).hasSize(rounds).isSorted();
    }

    @Test
    void aPostThatMayWaitStillWakesAnOwnerThatWouldNotLookInTime() throws Exception {
        int rounds = 500;
        Semaphore consumed = new Semaphore(1);
        Thread poster = new Thread(() -> {
            for (int i = 0; i < rounds; i++) {
                consumed.acquireUninterruptibly();
                mailbox.post(i, TimeUnit.MILLISECONDS.toNanos(1)); // the owner waits up to 10 s
            }
        });
        poster.start();
        List<Integer> received = new ArrayList<>();
        while (received.size() < rounds) {
            long start = System.nanoTime();
            mailbox.await(LONG_WAIT);
            assertThat(System.nanoTime() - start).as("a post left for an owner that waits 10 s")
                    .isLessThan(LONG_WAIT / 2);
            int before = received.size();
            mailbox.drain(received::add);
            consumed.release(received.size() - before);
        }
        poster.join();
        assertThat(received).hasSize(rounds).isSorted();
    }

    @Test
    void aPostThatMayWaitDoesNotWakeAnOwnerThatLooksAgainSoonEnough() throws Exception {
        long wait = TimeUnit.MILLISECONDS.toNanos(300);
        // the post can land between the owner raising its flag and its last look at the queue; then
        // the owner returns at once without a wake-up, so a few tries are allowed
        long longest = 0;
        for (int attempt = 0; attempt < 5 && longest < wait * 3 / 4; attempt++) {
            AtomicReference<Boolean> sawOwnerWaiting = new AtomicReference<>(false);
            Thread poster = new Thread(() -> {
                long deadline = System.nanoTime() + LONG_WAIT;
                while (!mailbox.isOwnerWaiting() && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                sawOwnerWaiting.set(mailbox.isOwnerWaiting());
                mailbox.post(1, 2 * wait);
            });
            poster.start();
            long start = System.nanoTime();
            mailbox.await(wait);
            long waited = System.nanoTime() - start;
            poster.join();
            List<Integer> received = new ArrayList<>();
            mailbox.drain(received::add);
            assertThat(received).containsExactly(1);
            if (sawOwnerWaiting.get()) {
                longest = Math.max(longest, waited);
            }
        }
        assertThat(longest).as("a post that may wait 600 ms woke an owner due to look within 300 ms")
                .isGreaterThanOrEqualTo(wait * 3 / 4);
    }

    @Test
    void postsWhileTheOwnerWorksLeaveNoWakeUpBehind() {
        mailbox.post(1);
        mailbox.await(LONG_WAIT); // returns at once: an item waits
        mailbox.drain(item -> { });
        mailbox.post(2); // the owner is working, not waiting: nothing to wake
        mailbox.drain(item -> { });

        long wait = TimeUnit.MILLISECONDS.toNanos(200);
        long start = System.nanoTime();
        mailbox.await(wait);
        assertThat(System.nanoTime() - start).as("a stale wake-up would end this wait at once")
                .isGreaterThanOrEqualTo(wait * 3 / 4);
    }

    @Test
    void itemsPostedAfterTheOwnerStoppedGoToItsLeftovers() {
        List<Integer> served = new ArrayList<>();
        List<Integer> leftovers = new ArrayList<>();
        mailbox.post(1);
        mailbox.drain(served::add);
        mailbox.post(2);
        mailbox.stop(leftovers::add);
        mailbox.post(3);
        mailbox.post(4, TimeUnit.MILLISECONDS.toNanos(1));
        assertThat(served).containsExactly(1);
        assertThat(leftovers).containsExactly(2, 3, 4);
        assertThat(mailbox.isEmpty()).isTrue();
    }

    @Test
    void anOwnerStoppingWhilePostersPostLosesNothingAndDoublesNothing() throws Exception {
        int posters = 4;
        int each = 20_000;
        java.util.Queue<Integer> seen = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < posters; p++) {
            int first = p * each;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = first; i < first + each; i++) {
                    mailbox.post(i);
                }
            });
            t.start();
            threads.add(t);
        }
        start.countDown();
        long deadline = System.nanoTime() + LONG_WAIT;
        while (seen.size() < posters * each / 2 && System.nanoTime() < deadline) { // serve about half, then stop
            mailbox.drain(seen::add);
            Thread.onSpinWait();
        }
        mailbox.stop(seen::add);
        for (Thread t : threads) {
            t.join(TimeUnit.NANOSECONDS.toMillis(LONG_WAIT));
        }
        List<Integer> sorted = new ArrayList<>(seen);
        sorted.sort(null);
        assertThat(sorted).hasSize(posters * each);
        for (int i = 0; i < sorted.size(); i++) {
            assertThat(sorted.get(i)).isEqualTo(i);
        }
    }
}
