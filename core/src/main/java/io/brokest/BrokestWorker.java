package io.brokest;

import io.brokest.internal.security.BindPolicy;
import io.brokest.internal.security.WorkerSecurity;
import io.brokest.internal.util.Endpoints;
import io.brokest.internal.worker.WorkerConfig;
import io.brokest.internal.worker.WorkerEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A worker that runs tasks sent by Brokest clients, embedded in the current JVM. The worker daemon
 * ({@code java -jar worker-daemon.jar}) is a thin command line around this class; tests use it
 * through {@code io.brokest.testing.InProcessWorker}.
 *
 * <pre>{@code
 * try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:5555").threads(4).start()) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Tasks' classes are always loaded from the client that sent them, in a class loader of that
 * client's own, never from this JVM's classpath (except the JDK and Brokest's API). Thread-safe.
 */
public final class BrokestWorker implements AutoCloseable {
    private final WorkerEngine engine;

    private BrokestWorker(WorkerEngine engine) {
        this.engine = engine;
    }

    /** A builder with defaults: loopback port 5555, one thread per core, adaptive prefetch (see {@link Builder#prefetch}). */
    public static Builder builder() {
        return new Builder();
    }

    /** The endpoint actually bound (with the real port when the bind address used {@code *} or 0). */
    public String endpoint() {
        return engine.endpoint();
    }

    /** The worker's CURVE public key (Z85), which clients pin; null when it runs without CURVE. */
    public String publicKey() {
        return engine.config().security().publicKey();
    }

    /**
     * How many tasks the worker offers each client at first: its threads plus its prefetch. With the
     * default adaptive prefetch a client running short tasks is offered more (see {@link Builder#prefetch}).
     */
    public int capacity() {
        return engine.config().capacity();
    }

    /** Tasks accepted and not yet finished, across all clients. */
    public int runningTasks() {
        return engine.runningTasks();
    }

    /** Clients currently connected. */
    public int clientCount() {
        return engine.clientCount();
    }

    /**
     * Graceful stop: takes no new tasks, tells clients to send new work elsewhere, lets running tasks
     * finish for up to {@code drainTimeout} and sends their results, then closes.
     *
     * @return how many tasks were still running when the time ran out (they were interrupted)
     */
    public int shutdown(Duration drainTimeout) throws InterruptedException {
        return engine.shutdown(drainTimeout);
    }

    /**
     * Completes when this worker has stopped: normally once {@link #close()} or {@link #shutdown} is done,
     * exceptionally when it stopped by itself after a fatal internal error (for instance a ZeroMQ I/O
     * thread that died) or because more tasks ignored their interrupts than it has threads; either is
     * logged. Supervisors use it to exit and be restarted.
     */
    public java.util.concurrent.CompletableFuture<Void> whenStopped() {
        return engine.whenStopped();
    }

    /** Abrupt stop: running tasks are interrupted; their clients re-run them on other workers. */
    @Override
    public void close() {
        engine.close();
    }

    /** Settings of a worker; {@link #start()} checks them and binds. */
    public static final class Builder {
        /** The most task threads a worker may have. */
        public static final int MAX_THREADS = 10_000;

        private String bind = "tcp://127.0.0.1:5555";
        private int threads = Runtime.getRuntime().availableProcessors();
        private int prefetch = -1; // default: see prefetch()
        private int maxMessageBytes = 64 * 1024 * 1024;
        private Duration heartbeat = Duration.ofSeconds(1);
        private int liveness = 3;
        private Duration classFetchTimeout = Duration.ofSeconds(30);
        private long maxClassCacheBytes = 256L * 1024 * 1024;
        private Path key;
        private Path authorizedKeys;
        private Duration authorizedKeysReload = Duration.ofSeconds(1);
        private boolean allowInsecure;
        private Integer maxTasksPerClient;
        private boolean pollResults = true;

        private Builder() {
        }

        /**
         * The ZeroMQ endpoint to bind, such as {@code tcp://127.0.0.1:5555} or {@code tcp://127.0.0.1:*}.
         *
         * @throws IllegalArgumentException if it is not of the form {@code tcp://ADDRESS:PORT} (or {@code ipc://PATH})
         */
        public Builder bind(String endpoint) {
            this.bind = Endpoints.checkBind(Objects.requireNonNull(endpoint, "endpoint"));
            return this;
        }

        /** How many tasks run at once: from 1 to {@value #MAX_THREADS}, each an OS thread. */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, was " + threads);
            }
            if (threads > MAX_THREADS) {
                // past the OS's limit, the thread the worker starts for a task fails, and the worker with it
                throw new IllegalArgumentException("threads must be <= " + MAX_THREADS + " (each is an OS thread), was "
                        + threads);
            }
            this.threads = threads;
            return this;
        }

        /**
         * How many tasks beyond {@link #threads} a client may queue here, to hide the round trip between
         * a result and the next task; a prefetch set here is fixed. Default: adaptive, starting at as many
         * as the threads (at least 4) and growing for short tasks, up to 1,000, until about 5 ms of work
         * waits per thread (and at most 32 MiB of payload in all): long tasks stay spread over workers,
         * and tasks of microseconds are not held back by round trips. Use a fixed prefetch of 0 or 1 for
         * long tasks that must balance exactly.
         */
        public Builder prefetch(int prefetch) {
            if (prefetch < 0) {
                throw new IllegalArgumentException("prefetch must be >= 0, was " + prefetch);
            }
            this.prefetch = prefetch;
            return this;
        }

        /** The largest message accepted or sent; a bigger task or result fails with a clear error. */
        public Builder maxMessageBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxMessageBytes must be >= 1024, was " + bytes);
            }
            this.maxMessageBytes = bytes;
            return this;
        }

        /** How often the worker pings idle clients; a client silent for {@code liveness} intervals is gone. */
        public Builder heartbeat(Duration interval, int liveness) {
            if (interval.toMillis() < 10 || liveness < 1) {
                throw new IllegalArgumentException("heartbeat must be >= 10 ms and liveness >= 1, were "
                        + interval + " and " + liveness);
            }
            this.heartbeat = interval;
            this.liveness = liveness;
            return this;
        }

        /** How long a task waits for a class from its client before failing with ClassNotFoundException. */
        public Builder classFetchTimeout(Duration timeout) {
            this.classFetchTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Turns on CurveZMQ: the worker's secret key file (a {@code NAME.key} from
         * {@code java -jar worker-daemon.jar keygen}); clients pin the matching {@code NAME.pub}. Needs
         * {@link #authorizedKeys(Path)}.
         */
        public Builder key(Path secretKeyFile) {
            this.key = Objects.requireNonNull(secretKeyFile, "secretKeyFile");
            return this;
        }

        /**
         * The file of client public keys this worker accepts: one Z85 key a line, optionally followed by a
         * name; {@code #} comments and blank lines are allowed. It is re-read when it changes: a removed
         * key is refused new connections at once, and its connected client is cut off at its next message.
         */
        public Builder authorizedKeys(Path file) {
            this.authorizedKeys = Objects.requireNonNull(file, "file");
            return this;
        }

        /** How often the authorized keys file is checked for changes (default 1 s). */
        public Builder authorizedKeysReload(Duration interval) {
            this.authorizedKeysReload = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /**
         * Allows binding a non-loopback address without CURVE (default false: refused). Anyone who can
         * reach the address can then run code in this JVM; a warning is logged at start.
         */
        public Builder allowInsecure(boolean allow) {
            this.allowInsecure = allow;
            return this;
        }

        /**
         * At most this many tasks of one client run or wait here at once (default: threads plus the largest
         * prefetch, so 1,000 more than the threads with the adaptive prefetch);
         * further tasks of that client are refused, and its client sends them elsewhere or later.
         */
        public Builder maxTasksPerClient(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxTasksPerClient must be >= 1, was " + max);
            }
            this.maxTasksPerClient = max;
            return this;
        }

        /**
         * Whether the worker may look for finished results every millisecond, instead of being woken for
         * each burst of them, while tasks run that take 2 ms or more and leave their CPU mostly idle
         * (waiting on I/O, say), on a host with half a core idle. Default true: on a virtual machine, a
         * task thread that wakes the worker's socket thread pays for it before its next task, and
         * sleeping tasks wake later; the poll's 1,000 wake-ups a second cost only CPU that such tasks
         * leave idle, and a result may wait up to 1 ms (the last of a batch never waits). Tasks that use
         * their CPU, or a host that is busy, never get the poll. Turn it off where idle CPU must stay
         * idle.
         */
        public Builder resultPolling(boolean poll) {
            this.pollResults = poll;
            return this;
        }

        /**
         * Binds and starts the worker.
         *
         * @throws IllegalStateException if it cannot bind (port in use...), or if the address is not
         *         loopback and neither CURVE nor {@link #allowInsecure(boolean)} is set
         * @throws IllegalArgumentException if the key settings are incomplete or a key file is invalid
         */
        public BrokestWorker start() {
            if ((key == null) != (authorizedKeys == null)) {
                throw new IllegalArgumentException(key == null
                        ? "authorizedKeys was set but key was not: the worker needs its own secret key for CURVE; "
                        + BindPolicy.HOW_TO_SET_UP_KEYS
                        : "key was set but authorizedKeys was not: without it any client could connect; list the "
                        + "clients' public keys in a file and pass it to authorizedKeys (--authorized-keys)");
            }
            BindPolicy.check(bind, key != null, allowInsecure);
            WorkerSecurity security = key == null ? WorkerSecurity.none()
                    : WorkerSecurity.curve(key, authorizedKeys, authorizedKeysReload);
            WorkerConfig config = WorkerConfig.of(bind, threads, prefetch, maxMessageBytes,
                    (int) heartbeat.toMillis(), liveness, classFetchTimeout.toMillis(), maxClassCacheBytes, security,
                    maxTasksPerClient).withPollResults(pollResults);
            try {
                return new BrokestWorker(new WorkerEngine(config));
            } catch (RuntimeException e) {
                security.close();
                throw e;
            }
        }
    }
}
