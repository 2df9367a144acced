package io.brokest.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A thread blocked on a RemoteFuture finishes it with the work the socket thread hands over. */
@Timeout(30)
class RemoteFutureTest {

    private static RemoteFuture<String> future() {
        return new RemoteFuture<>(1, null, Runnable::run, id -> { });
    }

    /** Hands the work over once a thread waits; fails the test if none does within 10 s. */
    private static void handOver(RemoteFuture<?> f, Runnable work) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!f.handToWaiter(work)) {
            assertThat(System.nanoTime() < deadline).as("a thread waits on the future").isTrue();
            Thread.onSpinWait();
        }
    }

    @Test
    void theWaitingThreadRunsTheHandedCompletion() throws Exception {
        RemoteFuture<String> f = future();
        CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> {
            try {
                return f.get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, r -> new Thread(r, "the-waiter").start());
        handOver(f, () -> f.complete(Thread.currentThread().getName()));
        assertThat(got.get(10, TimeUnit.SECONDS)).isEqualTo("the-waiter");
    }

    @Test
    void withoutAWaiterNothingIsHandedOver() {
        RemoteFuture<String> f = future();
        assertThat(f.handToWaiter(() -> f.complete("x"))).isFalse();
        assertThat(f).isNotDone();
    }

    @Test
    void aTimedOutWaiterStopsWaitingAndTakesNoMoreWork() {
        RemoteFuture<String> f = future();
        assertThatThrownBy(() -> f.get(50, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(f.handToWaiter(() -> f.complete("late"))).isFalse();
    }

    @Test
    void anInterruptedWaiterThrowsAndTheFutureStillCompletesLater() throws Exception {
        RemoteFuture<String> f = future();
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread waiter = startParkedWaiter(f, thrown);
        waiter.interrupt();
        assertThat(thrown.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(f.handToWaiter(() -> f.complete("x"))).as("it no longer waits").isFalse();
        f.complete("later");
        assertThat(f.get()).isEqualTo("later");
    }

    @Test
    void aFutureCompletedElsewhereWakesItsWaiter() throws Exception {
        RemoteFuture<String> f = future();
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        startParkedWaiter(f, thrown);
        f.completeExceptionally(new IllegalStateException("timed out on the client"));
        assertThat(thrown.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasRootCauseMessage("timed out on the client");
    }

    @Test
    void aStageDerivedFromTheFutureWaitsTheJdksWayAndCompletes() throws Exception {
        RemoteFuture<String> f = future();
        CompletableFuture<String> derived = f.thenApply(s -> s + "!");
        CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> {
            try {
                return derived.get(); // completed inside the JDK's machinery: must not wait directly
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, r -> new Thread(r).start());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (derived.getNumberOfDependents() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        f.complete("done");
        assertThat(got.get(10, TimeUnit.SECONDS)).isEqualTo("done!");
    }

    @Test
    void aDirectWaiterWakesWhenTheFutureIsCompletedInsideTheJdk() throws Exception {
        RemoteFuture<String> f = future();
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        startParkedWaiter(f, thrown);
        f.completeAsync(() -> "from completeAsync", Runnable::run);
        assertThat(thrown.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(f.get()).isEqualTo("from completeAsync");
    }

    /** A thread blocked in {@code f.get()}, once it waits; what get() threw (or null) goes to {@code thrown}. */
    private static Thread startParkedWaiter(RemoteFuture<String> f, CompletableFuture<Throwable> thrown) {
        Thread waiter = new Thread(() -> {
            try {
                f.get();
                thrown.complete(null);
            } catch (Throwable t) {
                thrown.complete(t);
            }
        });
        waiter.start();
        awaitParked(waiter);
        return waiter;
    }

    private static void awaitParked(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.WAITING) {
            assertThat(System.nanoTime() < deadline).as(thread.getName() + " waits").isTrue();
            Thread.onSpinWait();
        }
    }

    @Test
    void workThatDoesNotCompleteTheFutureLeavesItsWaiterWaitingForTheNext() throws Exception {
        RemoteFuture<String> f = future();
        AtomicInteger runs = new AtomicInteger();
        CompletableFuture<String> got = CompletableFuture.supplyAsync(f::join, r -> new Thread(r).start());
        handOver(f, runs::incrementAndGet); // a retry was scheduled instead
        handOver(f, () -> f.complete("second attempt"));
        assertThat(got.get(10, TimeUnit.SECONDS)).isEqualTo("second attempt");
        assertThat(runs).hasValue(1);
    }

    @Test
    void aSecondWaiterWaitsTheUsualWayAndSeesTheSameValue() throws Exception {
        RemoteFuture<String> f = future();
        CompletableFuture<String> first = CompletableFuture.supplyAsync(f::join, r -> new Thread(r).start());
        handOver(f, () -> { }); // the first waiter is now registered and waits on
        CompletableFuture<String> second = CompletableFuture.supplyAsync(f::join, r -> new Thread(r).start());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (f.getNumberOfDependents() < 1 && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // the second one waits the JDK's way, as a dependent
        }
        handOver(f, () -> f.complete("v"));
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("v");
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("v");
    }

    @Test
    void theClientsBookkeepingRunsOnceHoweverTheFutureCompletes() throws Exception {
        List<String> ways = List.of("complete", "completeExceptionally", "cancel", "obtrudeValue",
                "obtrudeException", "completeAsync", "orTimeout", "completeOnTimeout");
        for (String way : ways) {
            AtomicInteger done = new AtomicInteger();
            AtomicInteger cancels = new AtomicInteger();
            RemoteFuture<String> f = new RemoteFuture<>(5, id -> cancels.incrementAndGet(), Runnable::run,
                    id -> done.incrementAndGet());
            switch (way) {
                case "complete" -> f.complete("v");
                case "completeExceptionally" -> f.completeExceptionally(new IllegalStateException("x"));
                case "cancel" -> f.cancel(true);
                case "obtrudeValue" -> f.obtrudeValue("v");
                case "obtrudeException" -> f.obtrudeException(new IllegalStateException("x"));
                case "completeAsync" -> f.completeAsync(() -> "v", Runnable::run);
                case "orTimeout" -> f.orTimeout(1, TimeUnit.MILLISECONDS);
                default -> f.completeOnTimeout("v", 1, TimeUnit.MILLISECONDS);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (done.get() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // the timeouts complete on the JDK's delayer thread
            }
            // whatever comes later finds the future done and changes nothing
            f.complete("again");
            f.completeExceptionally(new IllegalStateException("again"));
            f.cancel(true);
            assertThat(f.isDone()).as(way).isTrue();
            assertThat(done).as("bookkeeping runs after " + way).hasValue(1);
            assertThat(cancels).as("the worker is told of a cancel after " + way).hasValue(way.equals("cancel") ? 1 : 0);
        }
    }

    @Test
    void aDirectWaiterWakesWhenTheFutureTimesOut() throws Exception {
        RemoteFuture<String> f = future();
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        startParkedWaiter(f, thrown);
        f.orTimeout(1, TimeUnit.MILLISECONDS);
        assertThat(thrown.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TimeoutException.class);
    }

    /** A future whose client has learned that waits are short, with a spin limit of 5 s, far above any wait here. */
    private static RemoteFuture<String> spinningFuture() {
        SpinWait spin = new SpinWait(TimeUnit.SECONDS.toNanos(5));
        spin.waited(0, false);
        return new RemoteFuture<>(1, new RemoteFuture.Hooks(null, id -> { }, Runnable::run, spin, null));
    }

    /** A thread waiting in {@code future.get()}, and what that returned or threw once it is done. */
    private record Spinner(RemoteFuture<String> future, Thread thread, CompletableFuture<Object> outcome) {
    }

    /**
     * Starts a thread that waits in {@code get()} on a {@link #spinningFuture()}; returns once it
     * spins (fails the test if it does not within 10 s). Skips the test on a one-core machine.
     */
    private static Spinner startSpinner() {
        assumeTrue(SpinWait.maxSpinners() > 0, "a one-core machine never spins");
        RemoteFuture<String> f = spinningFuture();
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                outcome.complete(f.get());
            } catch (Throwable e) {
                outcome.complete(e);
            }
        }, "the-spinner");
        t.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (SpinWait.spinners() == 0) {
            assertThat(System.nanoTime() < deadline).as("a thread spins").isTrue();
            Thread.onSpinWait();
        }
        return new Spinner(f, t, outcome);
    }

    @Test
    void aWaiterThatSpinsNeverParksAndRunsTheHandedCompletion() throws Exception {
        Spinner spinner = startSpinner();
        RemoteFuture<String> f = spinner.future();
        Thread waiter = spinner.thread();
        long watchUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        while (System.nanoTime() < watchUntil) { // a parked waiter would show within microseconds
            assertThat(LockSupport.getBlocker(waiter)).as("the waiter parks on the future").isNull();
            assertThat(waiter.getState()).isEqualTo(Thread.State.RUNNABLE);
        }
        handOver(f, () -> f.complete(Thread.currentThread().getName()));
        assertThat(spinner.outcome().get(10, TimeUnit.SECONDS)).isEqualTo("the-spinner");
        assertThat(SpinWait.spinners()).as("its spinner slot is given back").isZero();
    }

    @Test
    void anInterruptEndsTheSpinAtOnce() throws Exception {
        Spinner spinner = startSpinner();
        RemoteFuture<String> f = spinner.future();
        long interruptedAt = System.nanoTime();
        spinner.thread().interrupt();
        assertThat(spinner.outcome().get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(System.nanoTime() - interruptedAt).as("well before the 5 s spin limit")
                .isLessThan(TimeUnit.SECONDS.toNanos(2));
        assertThat(SpinWait.spinners()).isZero();
        assertThat(f.handToWaiter(() -> f.complete("late"))).as("nobody waits any more").isFalse();
    }

    @Test
    void aTimedGetStopsSpinningAtItsDeadline() {
        RemoteFuture<String> f = spinningFuture();
        long start = System.nanoTime();
        assertThatThrownBy(() -> f.get(50, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(System.nanoTime() - start).as("the deadline, not the 5 s spin limit")
                .isBetween(TimeUnit.MILLISECONDS.toNanos(50), TimeUnit.SECONDS.toNanos(2));
        assertThat(SpinWait.spinners()).isZero();
    }
}
