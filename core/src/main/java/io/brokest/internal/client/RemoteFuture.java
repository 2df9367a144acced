package io.brokest.internal.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongConsumer;

/**
 * The future handed to users. Cancelling it cancels the task on its worker too. Async stages without
 * an explicit executor run on Brokest's callback executor, never on the JDK's common pool (which on a
 * 2-core machine has one thread and would start a thread per stage).
 */
public final class RemoteFuture<T> extends CompletableFuture<T> {
    private final long taskId;
    private final LongConsumer onCancel;
    private final Executor defaultExecutor;

    RemoteFuture(long taskId, LongConsumer onCancel, Executor defaultExecutor) {
        this.taskId = taskId;
        this.onCancel = onCancel;
        this.defaultExecutor = defaultExecutor;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled && onCancel != null) {
            onCancel.accept(taskId);
        }
        return cancelled;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new RemoteFuture<>(taskId, null, defaultExecutor);
    }

    @Override
    public Executor defaultExecutor() {
        return defaultExecutor;
    }

    public long taskId() {
        return taskId;
    }
}
