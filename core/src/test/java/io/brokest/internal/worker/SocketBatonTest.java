package io.brokest.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hand-over of the worker's socket between its two socket threads. */
@Timeout(30)
class SocketBatonTest {

    /** A thread in {@link SocketBaton#standBy}, and what came of it. */
    private record Standby(Thread thread, CompletableFuture<Boolean> tookOver) {
        static Standby start(SocketBaton baton, String name) {
            CompletableFuture<Boolean> tookOver = new CompletableFuture<>();
            Thread t = new Thread(() -> tookOver.complete(baton.standBy()), name);
            t.setDaemon(true);
            t.start();
            return new Standby(t, tookOver);
        }
    }

    @Test
    void anOwnerAloneKeepsTheSocketThroughItsTasks() {
        SocketBaton baton = new SocketBaton();
        for (int i = 0; i < 3; i++) {
            long ticket = baton.beginTask();
            assertThat(baton.endTask(ticket)).isTrue();
            assertThat(baton.endTask(ticket)).as("a task ends once").isFalse();
        }
    }

    @Test
    void theStandbyTakesTheSocketFromATaskThatRunsLongAndTheRolesSwap() throws Exception {
        SocketBaton baton = new SocketBaton();
        Standby second = Standby.start(baton, "second");

        long first = baton.beginTask(); // and "runs" until the takeover
        assertThat(second.tookOver().get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(baton.endTask(first)).as("the old owner lost the socket").isFalse();

        // the old owner now stands by, and takes the socket back when the new owner's task runs long
        Standby old = Standby.start(baton, "old owner");
        long secondsTask = baton.beginTask(); // this thread now plays the new owner
        assertThat(old.tookOver().get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(baton.endTask(secondsTask)).isFalse();
    }

    @Test
    void aLateEndOfATaskTakenOverIsNeverTakenForTheEndOfTheNewOwnersTask() throws Exception {
        SocketBaton baton = new SocketBaton();
        Standby standby = Standby.start(baton, "standby");
        long oldOwners = baton.beginTask();
        assertThat(standby.tookOver().get(10, TimeUnit.SECONDS)).isTrue();

        long newOwners = baton.beginTask(); // the new owner is running a task of its own when ...
        assertThat(baton.endTask(oldOwners)).as("... the old owner's task ends").isFalse();
        assertThat(baton.endTask(newOwners)).as("the new owner still owns the socket").isTrue();
    }

    @Test
    void theOwnerKnowsWhetherAStandbyIsThereToTakeOver() throws Exception {
        SocketBaton baton = new SocketBaton();
        assertThat(baton.hasStandby()).isFalse();
        Standby standby = Standby.start(baton, "standby");
        awaitTrue(baton::hasStandby);
        assertThat(baton.hasStandby()).isTrue();
        long stuck = baton.beginTask();
        assertThat(standby.tookOver().get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(baton.hasStandby()).as("the old owner is still in its task").isFalse();
        assertThat(baton.endTask(stuck)).isFalse();
        Standby.start(baton, "old owner, back");
        awaitTrue(baton::hasStandby);
        assertThat(baton.hasStandby()).isTrue();
    }

    @Test
    void aStandbyLeavesWhenTheLoopStopsWhileTheOwnerIsInIt() throws Exception {
        SocketBaton baton = new SocketBaton();
        Standby standby = Standby.start(baton, "standby");
        baton.stop();
        assertThat(standby.tookOver().get(10, TimeUnit.SECONDS)).as("took over").isFalse();
    }

    @Test
    void aStandbyStillTakesOverWhenTheWorkerIsStoppingButTheOwnersTaskRunsOn() throws Exception {
        SocketBaton baton = new SocketBaton();
        Standby standby = Standby.start(baton, "standby");
        baton.beginTask();
        baton.stop(); // the loop must still end (and clean up) on some thread
        assertThat(standby.tookOver().get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aStandbyInItsIdleSleepIsWokenByTheNextTaskAndTakesOver() throws Exception {
        SocketBaton baton = new SocketBaton();
        Standby standby = Standby.start(baton, "sleeper");
        // after SocketBaton.IDLE_NANOS without a task it parks without a deadline: WAITING, not TIMED_WAITING
        awaitTrue(() -> standby.thread().getState() == Thread.State.WAITING);
        assertThat(standby.thread().getState()).isEqualTo(Thread.State.WAITING);
        baton.beginTask();
        assertThat(standby.tookOver().get(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Waits for a condition another thread brings about, up to a deadline; the caller asserts it. */
    private static void awaitTrue(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(100_000); // a poll interval, bounded by the deadline
        }
    }
}
