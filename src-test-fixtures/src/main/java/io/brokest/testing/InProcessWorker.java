package io.brokest.testing;

import io.brokest.Brokest;
import io.brokest.internal.security.WorkerSecurity;
import io.brokest.internal.worker.WorkerConfig;
import io.brokest.internal.worker.WorkerEngine;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * A real Brokest worker running inside the test JVM, for unit tests of code that uses Brokest.
 *
 * <pre>{@code
 * try (InProcessWorker worker = InProcessWorker.start()) {
 *     assertThat(worker.client().submit(() -> 6 * 7).get(10, SECONDS)).isEqualTo(42);
 * }
 * }</pre>
 *
 * <p>It is not a shortcut that calls the task directly. It is the worker daemon's own engine, bound to
 * {@code tcp://127.0.0.1:*}: every task is serialized by Kryo, sent over a socket, defined from the
 * class bytes the client ships, in a class loader of that client's own whose parent is the JDK's
 * platform loader, and its result comes back through Kryo. So a task that would fail on a remote
 * daemon (it captures a stream, its class cannot be shipped, its result cannot be serialized, it
 * relies on a static field the test set) fails here too, with the same error.
 *
 * <p>Fault injection ({@link #kill()}, {@link #freeze()}, {@link #slowDown(Duration)}) lets tests
 * exercise their retry and timeout handling. Loss is noticed by heartbeat silence, so such tests
 * should use a short heartbeat: {@code InProcessWorker.builder().heartbeat(Duration.ofMillis(100), 3)};
 * clients made by this worker use the same heartbeat.
 *
 * <p>Thread-safe. Closing the worker closes the clients it made.
 */
public final class InProcessWorker implements AutoCloseable {
    private enum State { RUNNING, FROZEN, KILLED, CLOSED }

    private final WorkerEngine engine;
    private final Builder settings;
    private final List<Brokest> clients = new CopyOnWriteArrayList<>();
    private Brokest client;
    private volatile State state = State.RUNNING;

    private InProcessWorker(WorkerEngine engine, Builder settings) {
        this.engine = engine;
        this.settings = settings;
    }

    /** Starts a worker with default settings: 2 threads, prefetch as a daemon's (adaptive, from 4), heartbeat 1 s x 3. */
    public static InProcessWorker start() {
        return builder().start();
    }

    /** A builder for a worker with non-default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** The endpoint the worker is bound to, with its real port, such as {@code tcp://127.0.0.1:41234}. */
    public String endpoint() {
        return engine.endpoint();
    }

    /**
     * A client connected to this worker only, made on first use and closed with the worker. It uses the
     * worker's heartbeat, so a killed or frozen worker is noticed as soon as the settings allow.
     */
    public synchronized Brokest client() {
        requireNotClosed();
        if (client == null) {
            client = newClient();
        }
        return client;
    }

    /** Another client connected to this worker, closed with the worker. */
    public Brokest newClient() {
        requireNotClosed();
        Brokest made = clientBuilder().build();
        clients.add(made);
        return made;
    }

    /**
     * A client builder already pointed at this worker and set to its heartbeat, for clients with other
     * settings (a class loader, a name, more workers). The caller closes what it builds.
     */
    public Brokest.Builder clientBuilder() {
        return settings.clientBuilder().workers(endpoint());
    }

    /** Tasks accepted and not yet finished (running or queued here), across all clients. */
    public int runningTasks() {
        return state == State.KILLED || state == State.CLOSED ? 0 : engine.runningTasks();
    }

    /** Clients currently connected. */
    public int clientCount() {
        return state == State.KILLED || state == State.CLOSED ? 0 : engine.clientCount();
    }

    /** How many tasks the worker offers each client at first: its threads plus its (base) prefetch. */
    public int capacity() {
        return engine.config().capacity();
    }

    /**
     * Waits until this worker holds at least {@code count} tasks, for tests that inject a fault into
     * the worker running a task.
     *
     * @throws TimeoutException if that does not happen within {@code timeout}
     */
    public void awaitRunningTasks(int count, Duration timeout) throws TimeoutException, InterruptedException {
        awaitCondition(() -> runningTasks() >= count, timeout,
                () -> endpoint() + " held " + runningTasks() + " task(s), not " + count + ", after " + timeout);
    }

    /**
     * Fault injection: stops the worker at once, as {@code kill -9} would. It sends nothing more (no
     * goodbye, not even results of tasks that already finished) and its task threads are interrupted.
     * Clients notice only when its heartbeats stop, then re-run its tasks elsewhere or fail them with
     * {@link io.brokest.WorkerLostException}. Idempotent; the worker cannot be restarted.
     */
    public void kill() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.KILLED;
        engine.kill();
    }

    /**
     * Fault injection: the worker stops reading, writing and heartbeating, as a process stopped with
     * {@code SIGSTOP} would. Its running tasks go on but their results wait; new connections and
     * messages queue in the network layer. Clients declare it lost after the heartbeat liveness.
     */
    public void freeze() {
        requireRunning("freeze");
        state = State.FROZEN;
        engine.freeze();
    }

    /** Fault injection: undoes {@link #freeze()}, as {@code SIGCONT} would. Clients reconnect to it. */
    public void resume() {
        if (state == State.FROZEN) {
            state = State.RUNNING;
            engine.resume();
        }
    }

    /** Fault injection: each task waits this long before it runs; {@link Duration#ZERO} restores full speed. */
    public void slowDown(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        engine.slowDown(delay);
    }

    /** True until the worker is killed or closed (a frozen worker is alive). */
    public boolean isAlive() {
        return state == State.RUNNING || state == State.FROZEN;
    }

    /** True while frozen. */
    public boolean isFrozen() {
        return state == State.FROZEN;
    }

    /** True once {@link #close()} ran. */
    public boolean isClosed() {
        return state == State.CLOSED;
    }

    /**
     * Closes the clients this worker made (failing their unfinished tasks after a short wait), then
     * stops the worker. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
        }
        RuntimeException failure = null;
        for (Brokest c : clients) {
            try {
                c.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        clients.clear();
        engine.close();
        if (failure != null) {
            throw failure;
        }
    }

    /** Tasks submitted through clients this worker made that are not complete yet. */
    int pendingTasksOfOwnClients() {
        int n = 0;
        for (Brokest c : clients) {
            n += c.pendingTasks();
        }
        return n;
    }

    private void requireNotClosed() {
        if (state == State.CLOSED) {
            throw new IllegalStateException("the in-process worker " + endpoint() + " is closed");
        }
    }

    private void requireRunning(String action) {
        if (state != State.RUNNING) {
            throw new IllegalStateException("cannot " + action + " the in-process worker " + endpoint()
                    + ": it is " + state.name().toLowerCase());
        }
    }

    static void awaitCondition(BooleanSupplier condition, Duration timeout,
                               java.util.function.Supplier<String> failure)
            throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new TimeoutException(failure.get());
            }
            Thread.sleep(2); // polls a counter; correctness rests on the deadline, not on this interval
        }
    }

    /**
     * Settings of in-process workers; {@link #start()} may be called several times for several workers
     * with the same settings.
     */
    public static final class Builder {
        private int threads = 2;
        private int prefetch = -1; // as a daemon: adaptive, from max(4, threads)
        private int maxMessageBytes = 64 * 1024 * 1024;
        private Duration heartbeat = Duration.ofSeconds(1);
        private int liveness = 3;
        private Duration classFetchTimeout = Duration.ofSeconds(30);
        private Duration clientCloseTimeout = Duration.ofSeconds(2);

        private Builder() {
        }

        /** How many tasks run at once; default 2. */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, was " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** How many tasks beyond {@link #threads} a client may queue here, fixed; default as a daemon's: adaptive, from max(4, threads). */
        public Builder prefetch(int prefetch) {
            if (prefetch < 0) {
                throw new IllegalArgumentException("prefetch must be >= 0, was " + prefetch);
            }
            this.prefetch = prefetch;
            return this;
        }

        /** The largest task or result, serialized, for the worker and the clients it makes; default 64 MiB. */
        public Builder maxMessageBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxMessageBytes must be >= 1024, was " + bytes);
            }
            this.maxMessageBytes = bytes;
            return this;
        }

        /**
         * Heartbeat interval and liveness of the worker and of the clients it makes (default 1 s and 3):
         * a lost worker is noticed after about {@code interval * liveness}. Fault-injection tests run
         * faster with {@code heartbeat(Duration.ofMillis(100), 3)}.
         */
        public Builder heartbeat(Duration interval, int liveness) {
            Objects.requireNonNull(interval, "interval");
            if (interval.toMillis() < 10 || liveness < 1) {
                throw new IllegalArgumentException("heartbeat must be >= 10 ms and liveness >= 1, were "
                        + interval + " and " + liveness);
            }
            this.heartbeat = interval;
            this.liveness = liveness;
            return this;
        }

        /** How long a task waits for a class from its client; default 30 s. */
        public Builder classFetchTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("classFetchTimeout must be positive, was " + timeout);
            }
            this.classFetchTimeout = timeout;
            return this;
        }

        /**
         * How long closing a client made by the worker waits for its unfinished tasks before failing
         * them; default 2 s (a real client waits 10 s, too long for a test's cleanup).
         */
        public Builder clientCloseTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("clientCloseTimeout must not be negative, was " + timeout);
            }
            this.clientCloseTimeout = timeout;
            return this;
        }

        /** Binds {@code tcp://127.0.0.1:*} and starts a worker with these settings. */
        public InProcessWorker start() {
            WorkerConfig config = WorkerConfig.of("tcp://127.0.0.1:*", threads, prefetch, maxMessageBytes,
                    (int) heartbeat.toMillis(), liveness, classFetchTimeout.toMillis(), 256L * 1024 * 1024,
                    WorkerSecurity.none(), null);
            return new InProcessWorker(new WorkerEngine(config), copy());
        }

        /** A client builder with these settings' heartbeat, message size and close timeout, and no workers. */
        Brokest.Builder clientBuilder() {
            return Brokest.builder().heartbeat(heartbeat, liveness).maxMessageBytes(maxMessageBytes)
                    .closeTimeout(clientCloseTimeout);
        }

        Builder copy() {
            Builder b = new Builder();
            b.threads = threads;
            b.prefetch = prefetch;
            b.maxMessageBytes = maxMessageBytes;
            b.heartbeat = heartbeat;
            b.liveness = liveness;
            b.classFetchTimeout = classFetchTimeout;
            b.clientCloseTimeout = clientCloseTimeout;
            return b;
        }
    }
}
