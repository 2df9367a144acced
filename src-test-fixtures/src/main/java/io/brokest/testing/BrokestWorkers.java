package io.brokest.testing;

import io.brokest.Brokest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;

/**
 * Several {@link InProcessWorker}s started together, with clients connected to all of them: what a
 * test needs to see a task re-run on another worker when the one running it is killed or frozen.
 *
 * <pre>{@code
 * try (BrokestWorkers workers = BrokestWorkers.start(2, InProcessWorker.builder().heartbeat(Duration.ofMillis(100), 3))) {
 *     CompletableFuture<String> f = workers.client().submit(() -> slowWork());
 *     workers.awaitWorkerRunningTask(Duration.ofSeconds(5)).kill();
 *     assertThat(f.get(10, SECONDS)).isEqualTo("done");   // re-run on the other worker
 * }
 * }</pre>
 *
 * <p>Thread-safe. Closing it closes its clients, then its workers.
 */
public final class BrokestWorkers implements Iterable<InProcessWorker>, AutoCloseable {
    private final List<InProcessWorker> workers;
    private final InProcessWorker.Builder settings;
    private final List<Brokest> clients = new CopyOnWriteArrayList<>();
    private Brokest client;
    private volatile boolean closed;

    private BrokestWorkers(List<InProcessWorker> workers, InProcessWorker.Builder settings) {
        this.workers = List.copyOf(workers);
        this.settings = settings;
    }

    /** Starts {@code count} workers with default settings. */
    public static BrokestWorkers start(int count) {
        return start(count, InProcessWorker.builder());
    }

    /**
     * Starts {@code count} workers with the given settings; if one cannot start, those already started
     * are closed.
     */
    public static BrokestWorkers start(int count, InProcessWorker.Builder settings) {
        Objects.requireNonNull(settings, "settings");
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, was " + count);
        }
        List<InProcessWorker> started = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                started.add(settings.start());
            }
        } catch (RuntimeException e) {
            for (InProcessWorker w : started) {
                w.close();
            }
            throw e;
        }
        return new BrokestWorkers(started, settings.copy());
    }

    /** The i-th worker, from 0. */
    public InProcessWorker get(int index) {
        return workers.get(index);
    }

    /** How many workers (killed ones included). */
    public int size() {
        return workers.size();
    }

    /** The workers, in start order. */
    public List<InProcessWorker> list() {
        return workers;
    }

    /** The workers' endpoints, in start order. */
    public List<String> endpoints() {
        List<String> list = new ArrayList<>();
        for (InProcessWorker w : workers) {
            list.add(w.endpoint());
        }
        return list;
    }

    /** A client connected to every worker, made on first use and closed with them. */
    public synchronized Brokest client() {
        requireNotClosed();
        if (client == null) {
            client = newClient();
        }
        return client;
    }

    /** Another client connected to every worker, closed with them. */
    public Brokest newClient() {
        requireNotClosed();
        Brokest made = clientBuilder().build();
        clients.add(made);
        return made;
    }

    /** A client builder pointed at every worker, with their heartbeat. The caller closes what it builds. */
    public Brokest.Builder clientBuilder() {
        return settings.clientBuilder().workers(endpoints().toArray(new String[0]));
    }

    /** Tasks held by all workers together. */
    public int runningTasks() {
        int n = 0;
        for (InProcessWorker w : workers) {
            n += w.runningTasks();
        }
        return n;
    }

    /**
     * Waits until some live worker holds a task and returns it: the one to kill or freeze in a test of
     * re-runs. If several hold tasks, the first in start order.
     *
     * @throws TimeoutException if no worker holds a task within {@code timeout}
     */
    public InProcessWorker awaitWorkerRunningTask(Duration timeout) throws TimeoutException, InterruptedException {
        InProcessWorker[] found = new InProcessWorker[1];
        InProcessWorker.awaitCondition(() -> {
            for (InProcessWorker w : workers) {
                if (w.isAlive() && w.runningTasks() > 0) {
                    found[0] = w;
                    return true;
                }
            }
            return false;
        }, timeout, () -> "no worker of " + endpoints() + " held a task within " + timeout);
        return found[0];
    }

    /** Tasks submitted through clients made here or by the workers that are not complete yet. */
    public int pendingTasks() {
        int n = 0;
        for (Brokest c : clients) {
            n += c.pendingTasks();
        }
        for (InProcessWorker w : workers) {
            n += w.pendingTasksOfOwnClients();
        }
        return n;
    }

    @Override
    public Iterator<InProcessWorker> iterator() {
        return workers.iterator();
    }

    /** True once {@link #close()} ran. */
    public boolean isClosed() {
        return closed;
    }

    /** Closes the clients made here, then every worker (and the clients each made). Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
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
        for (InProcessWorker w : workers) {
            try {
                w.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void requireNotClosed() {
        if (closed) {
            throw new IllegalStateException("these in-process workers are closed");
        }
    }

    @Override
    public String toString() {
        return "BrokestWorkers" + endpoints();
    }
}
