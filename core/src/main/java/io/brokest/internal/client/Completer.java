package io.brokest.internal.client;

import io.brokest.BrokestException;
import io.brokest.TaskSerializationException;
import io.brokest.internal.serial.KryoCodec;
import io.brokest.internal.serial.ThrowableCodec;
import io.brokest.internal.util.Mailbox;
import io.brokest.internal.wire.MalformedMessageException;
import io.brokest.internal.wire.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Turns RESULT messages into completed futures, on the callback executor rather than the agent thread:
 * decoding a result can be slow and users' dependent stages run where the future completes. Also
 * decides whether a failed task is retried (its exception type matches the task's options) and
 * schedules the retry with exponential backoff.
 */
final class Completer {
    private final KryoCodec codec;
    private final Executor callbacks;
    private final ScheduledExecutorService timers;
    private final Mailbox<Command> mailbox;
    /** Socket thread only: completions read this turn, handed to a callback thread together by {@link #flush}. */
    private List<Runnable> batch = new ArrayList<>();
    /** Results per hand-off: one queue operation and wake-up per batch, and both callback threads stay busy. */
    static final int BATCH = 64;

    Completer(KryoCodec codec, Executor callbacks, ScheduledExecutorService timers, Mailbox<Command> mailbox) {
        this.codec = codec;
        this.callbacks = callbacks;
        this.timers = timers;
        this.mailbox = mailbox;
    }

    /**
     * Socket thread: a result arrived. A thread blocked on the future decodes it itself; otherwise a
     * callback thread does, with the others of this turn ({@link #flush}).
     */
    void complete(TaskHandle task, Message.Result result) {
        Runnable completion = () -> {
            try {
                completeNow(task, result);
            } catch (RuntimeException | Error e) {
                task.future.completeExceptionally(new BrokestException("could not read the result of "
                        + task.description + ": " + e, e)); // never leave the future hanging
            }
        };
        if (!task.future.handToWaiter(completion)) {
            batch.add(completion);
            if (batch.size() >= BATCH) {
                flush();
            }
        }
    }

    /** Socket thread, at the end of each turn: hands the completions read so far to a callback thread. */
    void flush() {
        if (batch.isEmpty()) {
            return;
        }
        List<Runnable> work = batch;
        batch = new ArrayList<>();
        callbacks.execute(() -> work.forEach(Runnable::run));
    }

    void fail(TaskHandle task, Throwable failure) {
        callbacks.execute(() -> task.future.completeExceptionally(failure));
    }

    private void completeNow(TaskHandle task, Message.Result result) {
        switch (result.status()) {
            case Message.Result.OK -> {
                Object value;
                try {
                    value = codec.deserialize(result.payload());
                } catch (Throwable e) {
                    task.future.completeExceptionally(new TaskSerializationException(KryoCodec.describe(
                            "the result of " + task.description + " arrived but", e).replace(
                            "cannot be serialized", "cannot be deserialized on the client"), e));
                    return;
                }
                task.future.complete(value);
            }
            case Message.Result.TASK_FAILED -> {
                Throwable failure = decode(task, result.payload());
                if (task.options.shouldRetry(failure) && task.failureRetries < task.options.failureRetries()) {
                    long backoff = task.options.initialBackoff().toNanos() << Math.min(20, task.failureRetries);
                    task.failureRetries++;
                    timers.schedule(() -> mailbox.post(new Command.Submit(task)), backoff, TimeUnit.NANOSECONDS);
                } else {
                    task.future.completeExceptionally(failure);
                }
            }
            case Message.Result.ERROR -> {
                Throwable failure = decode(task, result.payload());
                task.future.completeExceptionally(failure instanceof BrokestException ? failure
                        : new BrokestException("the worker could not run " + task.description + ": " + failure, failure));
            }
            case Message.Result.CANCELLED -> {
                // a worker cancels on its own only at the task's timeout (when the client cancels, the
                // future is done already); its result can beat the client's own timer by a hair
                if (task.deadlineNanos != Long.MAX_VALUE) {
                    task.future.completeExceptionally(timeout(task));
                } else {
                    task.future.completeExceptionally(new CancellationException(task.description
                            + " was cancelled on its worker"));
                }
            }
            default -> task.future.completeExceptionally(new BrokestException("the worker sent an unknown status "
                    + result.status() + " for " + task.description + "; are client and worker the same version?"));
        }
    }

    static TimeoutException timeout(TaskHandle task) {
        return new TimeoutException(task.description + " did not finish within its timeout of "
                + task.options.timeout().toMillis() + " ms; it was interrupted on its worker");
    }

    private Throwable decode(TaskHandle task, byte[] payload) {
        try {
            return ThrowableCodec.decode(payload, codec.classLoader());
        } catch (MalformedMessageException e) {
            return new BrokestException("the worker sent an unreadable error for " + task.description + ": "
                    + e.getMessage());
        }
    }
}
