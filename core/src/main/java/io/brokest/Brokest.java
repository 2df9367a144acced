package io.brokest;

import io.brokest.internal.client.ClientConfig;
import io.brokest.internal.client.ClientEngine;
import io.brokest.internal.util.Endpoints;
import io.brokest.internal.util.Printable;
import io.brokest.internal.security.ClientSecurity;
import io.brokest.internal.task.BiFunctionCall;
import io.brokest.internal.task.FunctionCall;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A client that runs tasks on remote worker daemons, with no broker in between.
 *
 * <pre>{@code
 * try (Brokest brokest = Brokest.connect("tcp://worker-1:5555", "tcp://worker-2:5555")) {
 *     CompletableFuture<Integer> answer = brokest.submit(() -> 6 * 7);
 *     CompletableFuture<String> upper = brokest.queue(s -> s.toUpperCase(), "hello");
 * }
 * }</pre>
 *
 * <p>Each task is serialized on the calling thread (a task that cannot be serialized fails right
 * there, with a message naming the value at fault), sent to the worker with the most free capacity,
 * and its result or exception completes the returned future. Workers load the task's classes from
 * this client. Many tasks may be in flight at once. Thread-safe: share one instance.
 */
public final class Brokest implements AutoCloseable {
    /** How errors name a task of each class ("task com.example.Job$$Lambda..."): built once per class, not per submit. */
    private static final ClassValue<String> TASK_NAMES = named("task ");
    private static final ClassValue<String> FUNCTION_NAMES = named("function ");

    private final ClientEngine engine;

    private Brokest(ClientEngine engine) {
        this.engine = engine;
    }

    /**
     * Connects to the given workers with default settings.
     *
     * @param endpoints ZeroMQ endpoints of worker daemons, such as {@code tcp://127.0.0.1:5555}
     * @throws IllegalArgumentException if one is not of the form {@code tcp://HOST:PORT} (or {@code ipc://PATH})
     */
    public static Brokest connect(String... endpoints) {
        return builder().workers(endpoints).build();
    }

    /** A builder for a client with non-default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** Runs a task on a worker with default options. */
    public <T> CompletableFuture<T> submit(Task<T> task) {
        return submit(task, TaskOptions.defaults());
    }

    /**
     * Runs a task on a worker.
     *
     * @throws TaskSerializationException if the task or something it captures cannot be serialized
     * @throws java.util.concurrent.RejectedExecutionException if {@code maxPending} tasks are pending
     *         and the client was built to fail fast
     * @throws IllegalStateException if this client is closed
     */
    public <T> CompletableFuture<T> submit(Task<T> task, TaskOptions options) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(options, "options");
        return engine.submit(task, options, TASK_NAMES.get(task.getClass()));
    }

    /** Runs {@code function.apply(argument)} on a worker. */
    public <A, R> CompletableFuture<R> queue(RemoteFunction<A, R> function, A argument) {
        return queue(function, argument, TaskOptions.defaults());
    }

    /** Runs {@code function.apply(argument)} on a worker with the given options. */
    public <A, R> CompletableFuture<R> queue(RemoteFunction<A, R> function, A argument, TaskOptions options) {
        Objects.requireNonNull(function, "function");
        return engine.submit(new FunctionCall<>(function, argument), options, FUNCTION_NAMES.get(function.getClass()));
    }

    /** Runs {@code function.apply(first, second)} on a worker. */
    public <A, B, R> CompletableFuture<R> queue(RemoteBiFunction<A, B, R> function, A first, B second) {
        return queue(function, first, second, TaskOptions.defaults());
    }

    /** Runs {@code function.apply(first, second)} on a worker with the given options. */
    public <A, B, R> CompletableFuture<R> queue(RemoteBiFunction<A, B, R> function, A first, B second,
                                                TaskOptions options) {
        Objects.requireNonNull(function, "function");
        return engine.submit(new BiFunctionCall<>(function, first, second), options,
                FUNCTION_NAMES.get(function.getClass()));
    }

    /**
     * Starts using another worker; it takes work as soon as it answers.
     *
     * @throws IllegalArgumentException if the endpoint is not of the form {@code tcp://HOST:PORT} (or
     *         {@code ipc://PATH}), or this client uses CURVE and no public key is pinned for it
     */
    public void addWorker(String endpoint) {
        engine.addWorker(Endpoints.checkWorker(Objects.requireNonNull(endpoint, "endpoint")));
    }

    /** Stops sending new tasks to a worker; its running tasks finish, then the connection closes. */
    public void removeWorker(String endpoint) {
        engine.removeWorker(Objects.requireNonNull(endpoint, "endpoint"));
    }

    /**
     * Tasks submitted whose futures are not complete yet. A future is counted out just after it
     * completes, so a thread woken by a completion may still see it counted for a moment.
     */
    public int pendingTasks() {
        return engine.outstandingCount();
    }

    /**
     * Waits up to the close timeout for tasks in flight, then fails the rest with a
     * {@link BrokestException} and disconnects. Idempotent.
     */
    @Override
    public void close() {
        engine.close();
    }

    /** Settings of a client; {@link #build()} checks them and connects. */
    public static final class Builder {
        private final List<String> endpoints = new ArrayList<>();
        private String name;
        private ClassLoader classLoader;
        private int maxMessageBytes = 64 * 1024 * 1024;
        private Duration heartbeat = Duration.ofSeconds(1);
        private int liveness = 3;
        private int maxPending = 100_000;
        private boolean failFastWhenFull;
        private Duration closeTimeout = Duration.ofSeconds(10);
        private Duration noWorkerTimeout = Duration.ofSeconds(60);
        private int callbackThreads = 2;
        private Duration spinWait = ClientEngine.DEFAULT_SPIN_WAIT;
        private Path clientKey;
        private Path workerPublicKey;
        private final Map<String, Path> workerPublicKeys = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Adds worker endpoints, such as {@code tcp://127.0.0.1:5555}.
         *
         * @throws IllegalArgumentException if one is not of the form {@code tcp://HOST:PORT} (or {@code ipc://PATH})
         */
        public Builder workers(String... endpoints) {
            for (String e : endpoints) {
                this.endpoints.add(Endpoints.checkWorker(Objects.requireNonNull(e, "endpoint")));
            }
            return this;
        }

        /**
         * A name for this client in workers' logs, 1 to 200 characters with no control characters;
         * default: host, pid and a counter.
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty() || name.length() > 200 || name.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("name must be 1 to 200 characters with no control characters"
                        + " (it appears in workers' logs), was " + Printable.of(name, 60));
            }
            this.name = name;
            return this;
        }

        /**
         * The class loader that workers' class requests are answered from, and results are read with.
         * Default: the calling thread's context class loader at {@link #build()}.
         */
        public Builder classLoader(ClassLoader loader) {
            this.classLoader = Objects.requireNonNull(loader, "loader");
            return this;
        }

        /**
         * The largest task or result, serialized; default 64 MiB. Workers may differ: each tells the
         * client its own limit, a task larger than every worker accepts fails at once with the sizes,
         * and a worker fails a result larger than this rather than send it.
         */
        public Builder maxMessageBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxMessageBytes must be >= 1024, was " + bytes);
            }
            this.maxMessageBytes = bytes;
            return this;
        }

        /**
         * How often to ping idle workers, and how many intervals of silence declare a worker lost
         * (default 1 s and 3).
         */
        public Builder heartbeat(Duration interval, int liveness) {
            if (interval.toMillis() < 10 || liveness < 1) {
                throw new IllegalArgumentException("heartbeat must be >= 10 ms and liveness >= 1, were "
                        + interval + " and " + liveness);
            }
            this.heartbeat = interval;
            this.liveness = liveness;
            return this;
        }

        /**
         * At most this many tasks submitted and not complete; beyond it, {@code submit} waits for room
         * (default) or, with {@code failFast}, throws {@link java.util.concurrent.RejectedExecutionException}.
         */
        public Builder maxPending(int maxPending, boolean failFast) {
            if (maxPending < 1) {
                throw new IllegalArgumentException("maxPending must be >= 1, was " + maxPending);
            }
            this.maxPending = maxPending;
            this.failFastWhenFull = failFast;
            return this;
        }

        /** How long {@link Brokest#close()} waits for tasks in flight (default 10 s; zero: not at all). */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = notNegative(timeout, "closeTimeout");
            return this;
        }

        /**
         * How long a task waits while no worker is reachable before failing with
         * {@link WorkerLostException} (default 60 s; zero: at the next check, within a quarter of the heartbeat).
         */
        public Builder noWorkerTimeout(Duration timeout) {
            this.noWorkerTimeout = notNegative(timeout, "noWorkerTimeout");
            return this;
        }

        /**
         * How long a thread blocked in {@code get()} or {@code join()} on a task's future may spin
         * before it parks (default 200 us; zero: never). A spinning thread reads its result off the
         * socket itself, without being woken, which on a virtual machine takes tens of microseconds: a
         * no-op round trip on loopback took 46 us instead of 111, for about 10 us more client CPU. A
         * thread spins only while this client's recent waits were shorter than this, and only while
         * fewer threads spin in the JVM than half its cores, so waits for longer tasks never spin. At
         * most 10 ms.
         */
        public Builder spinWait(Duration limit) {
            notNegative(limit, "spinWait");
            if (limit.compareTo(Duration.ofMillis(10)) > 0) {
                throw new IllegalArgumentException("spinWait must be at most 10 ms (longer waits are cheaper "
                        + "parked), was " + limit);
            }
            this.spinWait = limit;
            return this;
        }

        private static Duration notNegative(Duration timeout, String what) {
            Objects.requireNonNull(timeout, what);
            if (timeout.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative, was " + timeout);
            }
            return timeout;
        }

        /**
         * Turns on CurveZMQ: this client's secret key file (a {@code NAME.key} from
         * {@code java -jar worker-daemon.jar keygen}). Connections are encrypted, and workers accept this
         * client only if its public key is in their authorized keys file. Needs
         * {@link #workerPublicKey(Path)}.
         */
        public Builder clientKey(Path secretKeyFile) {
            this.clientKey = Objects.requireNonNull(secretKeyFile, "secretKeyFile");
            return this;
        }

        /**
         * Pins the public key ({@code NAME.pub}) of every worker, so this client only ever sends tasks to,
         * and reads results from, workers holding the matching secret key. Needs {@link #clientKey(Path)}.
         */
        public Builder workerPublicKey(Path publicKeyFile) {
            this.workerPublicKey = Objects.requireNonNull(publicKeyFile, "publicKeyFile");
            return this;
        }

        /** Pins the public key of one worker, overriding {@link #workerPublicKey(Path)} for that endpoint. */
        public Builder workerPublicKey(String endpoint, Path publicKeyFile) {
            workerPublicKeys.put(Objects.requireNonNull(endpoint, "endpoint"),
                    Objects.requireNonNull(publicKeyFile, "publicKeyFile"));
            return this;
        }

        /**
         * Connects. Workers may come up later: tasks wait for them.
         *
         * @throws IllegalArgumentException if the key settings are incomplete or a key file is invalid
         * @throws java.io.UncheckedIOException if a key file cannot be read
         */
        public Brokest build() {
            ClientSecurity security = security();
            ClassLoader loader = classLoader != null ? classLoader : Thread.currentThread().getContextClassLoader();
            if (loader == null) {
                loader = Brokest.class.getClassLoader();
            }
            ClientConfig config = new ClientConfig(List.copyOf(endpoints),
                    name != null ? name : ClientEngine.defaultName(), loader, maxMessageBytes,
                    (int) heartbeat.toMillis(), liveness, maxPending, failFastWhenFull, closeTimeout.toMillis(),
                    callbackThreads, security);
            return new Brokest(new ClientEngine(config, noWorkerTimeout, spinWait));
        }

        private ClientSecurity security() {
            boolean pinned = workerPublicKey != null || !workerPublicKeys.isEmpty();
            if (clientKey == null && !pinned) {
                return ClientSecurity.none();
            }
            if (clientKey == null) {
                throw new IllegalArgumentException("workerPublicKey was set but clientKey was not: CURVE needs this "
                        + "client's own key too; generate one with 'java -jar worker-daemon.jar keygen --out DIR "
                        + "--name NAME' and pass NAME.key to clientKey(...)");
            }
            if (!pinned) {
                throw new IllegalArgumentException("clientKey was set but no workerPublicKey: pin the workers' "
                        + "public key (their NAME.pub) so tasks never go to an impostor");
            }
            ClientSecurity security = ClientSecurity.curve(clientKey, workerPublicKey, workerPublicKeys);
            for (String endpoint : endpoints) {
                security.requireKeyFor(endpoint);
            }
            return security;
        }
    }

    private static ClassValue<String> named(String kind) {
        return new ClassValue<>() {
            @Override
            protected String computeValue(Class<?> type) {
                return kind + type.getName();
            }
        };
    }
}
