package io.brokest.internal.worker;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import io.brokest.internal.util.DaemonThreads;
import io.brokest.internal.util.JeromqCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;

/**
 * Assembles a worker: the ZeroMQ context, the socket thread ({@link WorkerLoop}), the task threads
 * ({@link TaskRunner}) and the shared class store; and takes it apart again, gracefully or not.
 */
public final class WorkerEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerEngine.class);

    private final WorkerConfig config;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    /** Why the worker stopped by itself, or null. Set before the stop, read after it. */
    private volatile Throwable fatalError;
    private final ZContext context = new ZContext(1);
    private final ThreadPoolExecutor taskThreads;
    private final ScheduledThreadPoolExecutor timers;
    private final WorkerLoop loop;
    private final TaskRunner runner;
    private final Thread loopThread;
    private final ExitGuard exitGuard;
    private final String endpoint;
    private volatile boolean closed;

    public WorkerEngine(WorkerConfig config) {
        JeromqCheck.warnOnceIfUnpatched();
        this.config = config;
        this.taskThreads = new ThreadPoolExecutor(config.threads(), config.threads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), DaemonThreads.named("brokest-task-"));
        this.timers = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("brokest-timer-"));
        timers.setRemoveOnCancelPolicy(true);
        ContentStore store = new ContentStore(config.maxClassCacheBytes());
        this.runner = new TaskRunner(taskThreads, config.threads(), timers,
                why -> stopAfter(why, null));
        // A ZeroMQ I/O thread that dies leaves the sockets deaf while the process stays up: stop instead,
        // so that clients fail over at once and a supervisor can restart the daemon.
        context.setUncaughtExceptionHandler((thread, error) -> fatal("ZeroMQ thread " + thread.getName(), error));
        this.loop = new WorkerLoop(config, context, runner, store, error -> fatal("the worker socket thread", error));
        this.loopThread = new Thread(loop, "brokest-worker-io");
        loopThread.setDaemon(true);
        loopThread.start();
        // a task calling System.exit fails on its client instead of being re-run to stop other workers;
        // the socket lingers a second so that this failure reaches the client before the JVM goes
        this.exitGuard = new ExitGuard(loop::sessionsSnapshot, () -> {
            context.setLinger(1_000);
            close();
        });
        exitGuard.install();
        try {
            this.endpoint = loop.awaitBound();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while binding " + config.bind(), e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public String endpoint() {
        return endpoint;
    }

    public String workerId() {
        return loop.workerId();
    }

    public WorkerConfig config() {
        return config;
    }

    /** Tasks accepted and not yet finished, across all clients. */
    public int runningTasks() {
        return loop.runningTasks();
    }

    /** Clients currently connected. */
    public int clientCount() {
        return loop.sessionsSnapshot().size();
    }

    /**
     * Stops taking tasks, tells clients to send new work elsewhere, and waits up to {@code drainTimeout}
     * for running tasks to finish and their results to be sent; then closes. Returns how many tasks were
     * still running (and so were cancelled) when the time ran out.
     */
    public int shutdown(Duration drainTimeout) throws InterruptedException {
        loop.drain();
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        while (loop.runningTasks() > 0 && System.nanoTime() < deadline) {
            // Polling is right here: the count is a sum over every session's tasks, finished on many
            // threads, and a drain lasts seconds; 10 ms more at the end costs nothing, and correctness
            // rests on the deadline, not on this interval.
            Thread.sleep(10);
        }
        int left = loop.runningTasks();
        close();
        return left;
    }

    /**
     * Completes once the worker has stopped: normally after {@link #close()} or {@link #shutdown}, and
     * exceptionally when it stopped by itself after a fatal internal error.
     */
    public CompletableFuture<Void> whenStopped() {
        return stopped;
    }

    private void fatal(String where, Throwable error) {
        stopAfter(where + " died (" + error + "); this worker can no longer serve its clients", error);
    }

    /** Stops the worker by itself: {@link #whenStopped()} then fails with {@code why} (error may be null). */
    private void stopAfter(String why, Throwable error) {
        LOG.error("{}\nThis worker stops (a supervisor should restart it).", why, error);
        fatalError = new IllegalStateException(why, error);
        Thread stopper = new Thread(this::close, "brokest-fatal-stop"); // never close from the dying thread
        stopper.setDaemon(true);
        stopper.start();
    }

    /** For tests: the context whose threads' deaths are fatal. */
    ZContext context() {
        return context;
    }

    /** Stops at once: running tasks are interrupted and their clients will re-run them elsewhere. */
    @Override
    public void close() {
        stop(false);
    }

    /**
     * Fault injection: stops at once like a process killed with SIGKILL. Nothing more is sent, not even
     * results of tasks that already finished, so clients can only notice by heartbeat silence.
     */
    public void kill() {
        stop(true);
    }

    private synchronized void stop(boolean kill) {
        if (closed) {
            return;
        }
        closed = true;
        exitGuard.uninstall();
        if (kill) {
            loop.kill();
        } else {
            loop.stop();
        }
        try {
            loop.awaitStopped(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        taskThreads.shutdownNow();
        timers.shutdownNow();
        // Bounded: after a fatal error a dead ZeroMQ thread may never acknowledge the context's end.
        Thread closer = new Thread(context::close, "brokest-zmq-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        config.security().close();
        if (fatalError != null) {
            stopped.completeExceptionally(fatalError);
        } else {
            stopped.complete(null);
        }
    }

    /** Fault injection: stop answering anything, as a process stopped with SIGSTOP would. */
    public void freeze() {
        loop.freeze();
    }

    /** Fault injection: undo {@link #freeze()}. */
    public void resume() {
        loop.thaw();
    }

    /** Fault injection: delay each task by this much before it runs (zero to stop). */
    public void slowDown(Duration delay) {
        runner.setDelay(delay);
    }

    public boolean isClosed() {
        return closed;
    }

    ThreadPoolExecutor taskThreads() {
        return taskThreads;
    }

    ScheduledExecutorService timers() {
        return timers;
    }
}
