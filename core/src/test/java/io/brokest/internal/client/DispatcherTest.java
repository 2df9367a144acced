package io.brokest.internal.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.brokest.TaskOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dispatcher's bookkeeping, without sockets: where tasks go, and what a cancel does. */
class DispatcherTest {
    private final List<TaskHandle> tooLarge = new ArrayList<>();
    private final Dispatcher dispatcher = new Dispatcher(tooLarge::add);

    private TaskHandle task(long id) {
        RemoteFuture<Object> future = new RemoteFuture<>(id, ignored -> { }, Runnable::run, ignored -> { });
        return new TaskHandle(id, new byte[0], TaskOptions.defaults(), future, "task " + id, Long.MAX_VALUE);
    }

    private static WorkerLink readyWorker(String endpoint, int capacity) {
        WorkerLink link = new WorkerLink(endpoint);
        link.state = WorkerLink.State.READY;
        link.capacity = capacity;
        return link;
    }

    @Test
    void aTaskGoesToTheWorkerWithTheMostFreeSlots() {
        WorkerLink small = readyWorker("tcp://a:1", 1);
        WorkerLink big = readyWorker("tcp://b:1", 3);
        dispatcher.addLink(small);
        dispatcher.addLink(big);
        List<String> sentTo = new ArrayList<>();
        for (long id = 1; id <= 5; id++) {
            dispatcher.enqueue(task(id));
        }
        int sent = dispatcher.dispatch((link, t) -> sentTo.add(link.endpoint));
        assertThat(sent).isEqualTo(4);
        assertThat(sentTo).containsExactly("tcp://b:1", "tcp://b:1", "tcp://a:1", "tcp://b:1");
        assertThat(dispatcher.pendingCount()).isEqualTo(1);
    }

    @Test
    void cancelledWaitingTasksAreNeverSentAndAreSweptOutOfTheQueue() {
        List<TaskHandle> tasks = new ArrayList<>();
        for (long id = 1; id <= 1_000; id++) {
            TaskHandle t = task(id);
            tasks.add(t);
            dispatcher.enqueue(t);
        }
        for (int i = tasks.size() - 1; i >= 100; i--) { // newest first, as the slow case was
            TaskHandle t = tasks.get(i);
            t.future.cancel(true);
            assertThat(dispatcher.cancelled(t.id)).isNull();
        }
        // at most about half of what is left may still be cancelled tasks awaiting a sweep
        assertThat(dispatcher.pendingCount()).isLessThanOrEqualTo(100 + Math.max(Dispatcher.MIN_SWEEP, 100));

        dispatcher.addLink(readyWorker("tcp://a:1", 10_000));
        List<Long> sent = new ArrayList<>();
        dispatcher.dispatch((link, t) -> sent.add(t.id));
        List<Long> expected = new ArrayList<>();
        for (long id = 1; id <= 100; id++) {
            expected.add(id);
        }
        assertThat(sent).isEqualTo(expected);
        assertThat(dispatcher.pendingCount()).isZero();
    }

    @Test
    void aCancelledTaskThatRunsNamesItsWorker() {
        WorkerLink worker = readyWorker("tcp://a:1", 2);
        dispatcher.addLink(worker);
        TaskHandle t = task(7);
        dispatcher.enqueue(t);
        dispatcher.dispatch((link, sent) -> { });
        assertThat(dispatcher.cancelled(7)).isSameAs(worker);
        assertThat(dispatcher.cancelled(8)).isNull();
    }

    @Test
    void aTaskGoesOnlyToWorkersThatAcceptItsSizeAndOneNoneAcceptsIsHandedBack() {
        WorkerLink small = readyWorker("tcp://small:1", 10);
        small.maxMessageBytes = 100;
        WorkerLink big = readyWorker("tcp://big:1", 2);
        big.maxMessageBytes = 1_000;
        dispatcher.addLink(small);
        dispatcher.addLink(big);
        TaskHandle medium = sized(1, 500);
        TaskHandle huge = sized(2, 5_000);
        TaskHandle tiny = sized(3, 10);
        dispatcher.enqueue(medium);
        dispatcher.enqueue(huge);
        dispatcher.enqueue(tiny);
        List<String> sent = new ArrayList<>();

        dispatcher.dispatch((link, t) -> sent.add(t.id + "->" + link.endpoint));

        assertThat(sent).containsExactly("1->tcp://big:1", "3->tcp://small:1");
        assertThat(tooLarge).containsExactly(huge);
        assertThat(dispatcher.pendingCount()).isZero();
    }

    @Test
    void aLargeTaskWaitsInOrderWhileTheWorkersThatAcceptItAreFull() {
        WorkerLink small = readyWorker("tcp://small:1", 10);
        small.maxMessageBytes = 100;
        WorkerLink big = readyWorker("tcp://big:1", 0); // accepts it, but has no free slot now
        big.maxMessageBytes = 1_000;
        dispatcher.addLink(small);
        dispatcher.addLink(big);
        dispatcher.enqueue(sized(1, 500));
        dispatcher.enqueue(sized(2, 10));

        int sent = dispatcher.dispatch((link, t) -> { });

        assertThat(sent).isZero();
        assertThat(tooLarge).isEmpty();
        assertThat(dispatcher.pendingCount()).isEqualTo(2);
    }

    private TaskHandle sized(long id, int bytes) {
        RemoteFuture<Object> future = new RemoteFuture<>(id, ignored -> { }, Runnable::run, ignored -> { });
        return new TaskHandle(id, new byte[bytes], TaskOptions.defaults(), future, "task " + id, Long.MAX_VALUE);
    }
}
