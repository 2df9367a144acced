package io.brokest.internal.client;

import io.brokest.TaskOptions;

/**
 * One submitted task on the client: its serialized form, options, future, and where it is now.
 * Fields other than the final ones are touched only by the agent thread.
 */
final class TaskHandle {
    final long id;
    final byte[] payload;
    final TaskOptions options;
    final RemoteFuture<Object> future;
    final String description;
    /** System.nanoTime() after which the task times out, or Long.MAX_VALUE. */
    final long deadlineNanos;

    /** Which dispatch this is (1 = first); the worker echoes it so late results of old attempts are ignored. */
    int attempt;
    /** Times the task was re-sent because its worker was lost. */
    int workerLossRetries;
    /** Times the task was re-sent because it failed with a retryable exception. */
    int failureRetries;
    /** When it last entered the queue (System.nanoTime()). */
    long queuedSinceNanos;
    /** The worker it was last sent to, or null while pending. */
    WorkerLink worker;

    TaskHandle(long id, byte[] payload, TaskOptions options, RemoteFuture<Object> future, String description,
               long deadlineNanos) {
        this.id = id;
        this.payload = payload;
        this.options = options;
        this.future = future;
        this.description = description;
        this.deadlineNanos = deadlineNanos;
    }
}
