package io.brokest;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How one task is run: its timeout, how often it is re-run when its worker is lost, and which of its
 * own failures are retried. Immutable; start from {@link #defaults()} and use the withers:
 *
 * <pre>{@code
 * TaskOptions opts = TaskOptions.defaults()
 *     .withTimeout(Duration.ofSeconds(30))
 *     .withMaxRetries(0)                         // never run twice
 *     .withRetryOn(IOException.class)            // retry the task's own IOExceptions
 *     .withFailureRetries(2, Duration.ofMillis(100));
 * }</pre>
 */
public final class TaskOptions {
    /** Re-runs on worker loss by default, as Celery's acks-late and Ray's task retries do. */
    public static final int DEFAULT_MAX_RETRIES = 3;

    private static final TaskOptions DEFAULTS =
            new TaskOptions(null, DEFAULT_MAX_RETRIES, List.of(), 0, Duration.ofMillis(100));

    private final Duration timeout;
    private final int maxRetries;
    private final List<Class<? extends Throwable>> retryOn;
    private final int failureRetries;
    private final Duration initialBackoff;

    private TaskOptions(Duration timeout, int maxRetries, List<Class<? extends Throwable>> retryOn,
                        int failureRetries, Duration initialBackoff) {
        this.timeout = timeout;
        this.maxRetries = maxRetries;
        this.retryOn = retryOn;
        this.failureRetries = failureRetries;
        this.initialBackoff = initialBackoff;
    }

    /** No timeout, {@value #DEFAULT_MAX_RETRIES} re-runs on worker loss, no retry of the task's own failures. */
    public static TaskOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Fails the future with {@link java.util.concurrent.TimeoutException} when the task has not
     * finished this long after it was submitted, and interrupts it on its worker.
     *
     * @throws IllegalArgumentException if the timeout is zero or negative
     */
    public TaskOptions withTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        return new TaskOptions(timeout, maxRetries, retryOn, failureRetries, initialBackoff);
    }

    /**
     * How many times the task is sent to another worker when the worker running it is lost. Zero
     * means the task never runs twice: its future fails with {@link WorkerLostException} instead.
     *
     * @throws IllegalArgumentException if negative
     */
    public TaskOptions withMaxRetries(int maxRetries) {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0, was " + maxRetries);
        }
        return new TaskOptions(timeout, maxRetries, retryOn, failureRetries, initialBackoff);
    }

    /**
     * Retries the task when it throws one of these types (or a subtype). Use with
     * {@link #withFailureRetries(int, Duration)} to set how often; one retry if not set.
     */
    @SafeVarargs
    public final TaskOptions withRetryOn(Class<? extends Throwable>... types) {
        List<Class<? extends Throwable>> list = List.of(types);
        int retries = failureRetries == 0 && !list.isEmpty() ? 1 : failureRetries;
        return new TaskOptions(timeout, maxRetries, list, retries, initialBackoff);
    }

    /**
     * How many times a failure matching {@link #withRetryOn} is retried, waiting {@code initialBackoff}
     * before the first retry and doubling the wait each time after.
     *
     * @throws IllegalArgumentException if retries is negative or the backoff is negative
     */
    public TaskOptions withFailureRetries(int retries, Duration initialBackoff) {
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be >= 0, was " + retries);
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        if (initialBackoff.isNegative()) {
            throw new IllegalArgumentException("initialBackoff must not be negative, was " + initialBackoff);
        }
        return new TaskOptions(timeout, maxRetries, retryOn, retries, initialBackoff);
    }

    /** The timeout, or null for none. */
    public Duration timeout() {
        return timeout;
    }

    /** Re-runs allowed on worker loss. */
    public int maxRetries() {
        return maxRetries;
    }

    /** Exception types of the task's own that are retried. */
    public List<Class<? extends Throwable>> retryOn() {
        return retryOn;
    }

    /** Retries allowed for failures matching {@link #retryOn()}. */
    public int failureRetries() {
        return failureRetries;
    }

    /** The wait before the first retry of a failure; doubled for each later one. */
    public Duration initialBackoff() {
        return initialBackoff;
    }

    /** True when a failure of this type should be retried (budget aside). */
    public boolean shouldRetry(Throwable failure) {
        for (Class<? extends Throwable> type : retryOn) {
            if (type.isInstance(failure)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TaskOptions)) {
            return false;
        }
        TaskOptions other = (TaskOptions) o;
        return Objects.equals(timeout, other.timeout) && maxRetries == other.maxRetries
                && retryOn.equals(other.retryOn) && failureRetries == other.failureRetries
                && initialBackoff.equals(other.initialBackoff);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timeout, maxRetries, retryOn, failureRetries, initialBackoff);
    }

    @Override
    public String toString() {
        return "TaskOptions{timeout=" + timeout + ", maxRetries=" + maxRetries + ", retryOn=" + retryOn
                + ", failureRetries=" + failureRetries + ", initialBackoff=" + initialBackoff + '}';
    }
}
