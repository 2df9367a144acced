package io.brokest.internal.client;

import io.brokest.BrokestException;
import io.brokest.Task;
import io.brokest.TaskOptions;
import io.brokest.TaskSerializationException;
import io.brokest.internal.serial.KryoCodec;
import io.brokest.internal.util.DaemonThreads;
import io.brokest.internal.util.JeromqCheck;
import io.brokest.internal.util.Mailbox;
import io.brokest.internal.wire.Message;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.zeromq.ZContext;

/**
 * Assembles a client: serializes tasks on the caller's thread (so a task that cannot be serialized
 * fails at submit, naming the culprit), bounds how many may be pending, and hands them to the
 * {@link ClientAgent} thread; results come back through the {@link Completer}.
 */
public final class ClientEngine implements AutoCloseable {
    private static final AtomicInteger CLIENTS = new AtomicInteger();
    /** How long a thread blocked on a future may spin before it parks, unless told otherwise ({@link SpinWait}). */
    public static final Duration DEFAULT_SPIN_WAIT = Duration.ofNanos(SpinWait.DEFAULT_LIMIT_NANOS);

    private final ClientConfig config;
    private final ZContext context = new ZContext(1);
    private final Mailbox<Command> mailbox;
    private final KryoCodec codec;
    private final ThreadPoolExecutor callbacks;
    /** True on this client's callback threads: {@link #close()} called from one must not wait for it to end. */
    private final ThreadLocal<Boolean> onCallbackThread = ThreadLocal.withInitial(() -> Boolean.FALSE);
    private final ScheduledThreadPoolExecutor timers;
    private final ExecutorService classThreads;
    private final ClientAgent agent;
    private final Thread agentThread;
    private final Semaphore pendingPermits;
    private final AtomicLong taskIds = new AtomicLong();
    private final Map<Long, RemoteFuture<Object>> outstanding = new ConcurrentHashMap<>();
    /** What every task's future calls (when a caller cancels it, once it is done...): one set per client. */
    private final RemoteFuture.Hooks futureHooks;
    private volatile boolean closed;

    /** A client whose blocked callers spin for at most {@link #DEFAULT_SPIN_WAIT}. */
    public ClientEngine(ClientConfig config, Duration noWorkerTimeout) {
        this(config, noWorkerTimeout, DEFAULT_SPIN_WAIT);
    }

    /** {@code spinLimit}: how long a thread blocked on a future may spin before it parks ({@link SpinWait}). */
    public ClientEngine(ClientConfig config, Duration noWorkerTimeout, Duration spinLimit) {
        JeromqCheck.warnOnceIfUnpatched();
        this.config = config;
        this.mailbox = new Mailbox<>();
        this.codec = new KryoCodec(config.classLoader(), config.maxMessageBytes());
        ThreadFactory callbackThreads = DaemonThreads.named("brokest-callback-");
        this.callbacks = new ThreadPoolExecutor(config.callbackThreads(), config.callbackThreads(), 60,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> callbackThreads.newThread(() -> {
                    onCallbackThread.set(Boolean.TRUE);
                    task.run();
                }));
        this.timers = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("brokest-client-timer-"));
        timers.setRemoveOnCancelPolicy(true);
        this.classThreads = Executors.newFixedThreadPool(2, DaemonThreads.named("brokest-class-server-"));
        this.pendingPermits = new Semaphore(config.maxPending());
        LongConsumer taskDone = id -> {
            outstanding.remove(id);
            pendingPermits.release();
        };
        UUID session = UUID.randomUUID();
        Message.Hello hello = new Message.Hello(session.getMostSignificantBits(), session.getLeastSignificantBits(),
                config.name(), config.heartbeatMillis(), config.maxMessageBytes());
        Completer completer = new Completer(codec, callbacks, timers, mailbox);
        this.agent = new ClientAgent(config, context, mailbox, completer,
                new ClassServer(config.classLoader(), config.maxMessageBytes()), classThreads, hello,
                noWorkerTimeout.toNanos());
        this.futureHooks = new RemoteFuture.Hooks(this::cancel, taskDone, callbacks, new SpinWait(spinLimit.toNanos()),
                agent::readForSpinner);
        this.agentThread = new Thread(agent, "brokest-client-io");
        agentThread.setDaemon(true);
        agentThread.start();
    }

    /** A readable client name for workers' logs: host, pid and a counter. */
    public static String defaultName() {
        return ManagementFactory.getRuntimeMXBean().getName() + "#" + (CLIENTS.incrementAndGet());
    }

    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<T> submit(Task<T> task, TaskOptions options, String description) {
        if (closed) {
            throw new IllegalStateException("this Brokest client is closed");
        }
        if (!agentThread.isAlive()) {
            // it failed every task it held and logged why; a task posted now would never be read
            throw new IllegalStateException("this Brokest client stopped after an internal error (see the log); "
                    + "create a new one");
        }
        byte[] payload;
        try {
            payload = codec.serialize(task);
        } catch (TaskSerializationException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new TaskSerializationException(KryoCodec.describe(description, e), e);
        }
        acquirePermit(description);
        long id = taskIds.incrementAndGet();
        RemoteFuture<Object> future = new RemoteFuture<>(id, futureHooks);
        long deadline = options.timeout() == null ? Long.MAX_VALUE : System.nanoTime() + options.timeout().toNanos();
        TaskHandle handle = new TaskHandle(id, payload, options, future, description, deadline);
        outstanding.put(id, future);
        if (options.timeout() != null) {
            var timer = timers.schedule(() -> callbacks.execute(() -> {
                if (future.completeExceptionally(Completer.timeout(handle))) {
                    mailbox.post(new Command.Cancel(id));
                }
            }), options.timeout().toNanos(), TimeUnit.NANOSECONDS);
            future.whenComplete((v, e) -> timer.cancel(false));
        }
        if (!agent.sendNow(handle)) {
            mailbox.post(new Command.Submit(handle));
        }
        return (CompletableFuture<T>) future;
    }

    private void acquirePermit(String description) {
        if (config.failFastWhenFull()) {
            if (!pendingPermits.tryAcquire()) {
                throw new RejectedExecutionException("cannot submit " + description + ": " + config.maxPending()
                        + " tasks are already pending (maxPending); wait for some to finish or raise maxPending");
            }
            return;
        }
        try {
            pendingPermits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RejectedExecutionException("interrupted while waiting for room to submit " + description, e);
        }
    }

    private void cancel(long taskId) {
        mailbox.post(new Command.Cancel(taskId));
    }

    public void addWorker(String endpoint) {
        config.security().requireKeyFor(endpoint);
        mailbox.post(new Command.AddWorker(endpoint));
    }

    public void removeWorker(String endpoint) {
        mailbox.post(new Command.RemoveWorker(endpoint));
    }

    /** Fault injection for tests: every send on the client's sockets throws {@code fault}. */
    void injectSendFault(RuntimeException fault) {
        agent.injectSendFault(fault);
    }

    /** How many times a thread spinning on a future read the sockets itself (see {@code ClientAgent.readForSpinner}). */
    long spinnerReads() {
        return agent.spinnerReads();
    }

    /** How many times a submitting thread yielded at the end of a burst (see {@code ClientAgent.sendNow}). */
    long burstYields() {
        return agent.burstYields();
    }

    /** Whether the client's socket thread waits for work with none posted (a snapshot, for tests). */
    boolean agentIdle() {
        return mailbox.isOwnerWaiting() && mailbox.isEmpty();
    }

    /** Tasks submitted and not yet completed. */
    public int outstandingCount() {
        return outstanding.size();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            CompletableFuture.allOf(outstanding.values().toArray(new CompletableFuture<?>[0]))
                    .exceptionally(e -> null)
                    .get(config.closeTimeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception timedOutOrInterrupted) {
            if (timedOutOrInterrupted instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        mailbox.post(new Command.Shutdown());
        try {
            agentThread.join(5_000); // it ends once shut down; an agent that died of an error has ended already
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (RemoteFuture<Object> f : outstanding.values()) {
            f.completeExceptionally(new BrokestException("the Brokest client was closed before the task finished"));
        }
        callbacks.shutdown();
        try {
            if (!onCallbackThread.get()) { // a callback that closes the client (it may) would wait for itself
                callbacks.awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timers.shutdownNow();
        classThreads.shutdownNow();
        mailbox.close();
        context.close();
    }
}
