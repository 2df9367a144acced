package io.brokest.internal.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.brokest.TaskOptions;
import io.brokest.internal.serial.KryoCodec;
import io.brokest.internal.util.Mailbox;
import io.brokest.internal.wire.Message;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a worker's CANCELLED result is reported. */
class CompleterTest {
    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);
    private final Mailbox<Command> mailbox = new Mailbox<>();
    private final Completer completer = new Completer(new KryoCodec(getClass().getClassLoader(), 1 << 20),
            Runnable::run, timers, mailbox);

    @AfterEach
    void close() {
        timers.shutdownNow();
        mailbox.close();
    }

    @Test
    void aWorkersCancelOfATaskWithATimeoutIsATimeoutEvenWhenItBeatsTheClientsTimer() {
        TaskHandle task = handle(TaskOptions.defaults().withTimeout(Duration.ofMinutes(1)),
                System.nanoTime() + TimeUnit.MINUTES.toNanos(1));
        completer.complete(task, new Message.Result(task.id, 1, Message.Result.CANCELLED, new byte[0]));
        completer.flush();
        assertThat(task.future).isCompletedExceptionally();
        assertThat(failure(task)).isInstanceOf(TimeoutException.class)
                .hasMessageContaining("did not finish within its timeout of 60000 ms");
    }

    @Test
    void aWorkersCancelOfATaskWithoutATimeoutIsACancellation() {
        TaskHandle task = handle(TaskOptions.defaults(), Long.MAX_VALUE);
        completer.complete(task, new Message.Result(task.id, 1, Message.Result.CANCELLED, new byte[0]));
        completer.flush();
        assertThat(failure(task)).isInstanceOf(CancellationException.class)
                .hasMessageContaining("was cancelled on its worker");
    }

    private static Throwable failure(TaskHandle task) {
        return task.future.handle((value, error) -> error).getNow(null);
    }

    private static TaskHandle handle(TaskOptions options, long deadline) {
        RemoteFuture<Object> future = new RemoteFuture<>(7, null, Runnable::run, id -> { });
        return new TaskHandle(7, new byte[0], options, future, "task T", deadline);
    }
}
