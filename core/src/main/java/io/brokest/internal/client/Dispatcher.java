package io.brokest.internal.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Which worker gets which task. Credit-based, not round-robin: each worker says how many tasks it can
 * hold (threads plus prefetch) and is never sent more than that; a task goes to the ready worker with
 * the most free slots, so a busy worker is passed over and a new one fills at once. Tasks no worker
 * can take wait in order. Pure bookkeeping with no sockets, so it is tested on its own; only the
 * agent thread calls it.
 */
final class Dispatcher {
    /** Sends a task on a worker's socket. */
    interface Sender {
        void send(WorkerLink link, TaskHandle task);
    }

    /** Below this many cancelled tasks in the queue, sweeping it is not worth a pass. */
    static final int MIN_SWEEP = 64;

    private final Deque<TaskHandle> pending = new ArrayDeque<>();
    /** Gets a task no worker that takes tasks accepts, it is so large; it is off the books. */
    private final Consumer<TaskHandle> tooLarge;
    /** Cancels since the queue was last swept of done tasks (an upper bound of those in it). */
    private int cancelledWaiting;
    private final Map<String, WorkerLink> links = new LinkedHashMap<>();

    /** @param tooLarge gets each task larger than every worker taking tasks accepts, to fail it */
    Dispatcher(Consumer<TaskHandle> tooLarge) {
        this.tooLarge = tooLarge;
    }

    Collection<WorkerLink> links() {
        return links.values();
    }

    WorkerLink link(String endpoint) {
        return links.get(endpoint);
    }

    void addLink(WorkerLink link) {
        links.put(link.endpoint, link);
    }

    void removeLink(WorkerLink link) {
        links.remove(link.endpoint);
    }

    /** A new task, or one to run again: to the back of the queue. */
    void enqueue(TaskHandle task) {
        task.worker = null;
        pending.addLast(task);
    }

    /** A task that lost its worker: to the front, it has waited longest. */
    void requeue(TaskHandle task) {
        task.worker = null;
        pending.addFirst(task);
    }

    /** Tasks in the queue, counting cancelled ones not swept out yet. */
    int pendingCount() {
        return pending.size();
    }

    Iterator<TaskHandle> pendingIterator() {
        return pending.iterator();
    }

    boolean hasReadyWorker() {
        for (WorkerLink link : links.values()) {
            if (link.takesTasks()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sends pending tasks, in order, while some worker that accepts the next one's size has a free
     * slot. A task larger than every worker taking tasks accepts goes to {@code tooLarge} instead of
     * waiting. Returns how many were sent.
     */
    int dispatch(Sender sender) {
        int sent = 0;
        while (!pending.isEmpty()) {
            TaskHandle task = pending.peekFirst();
            if (task.future.isDone()) {
                pending.pollFirst(); // cancelled or timed out while it waited
                continue;
            }
            WorkerLink best = null;
            boolean accepted = false;
            for (WorkerLink link : links.values()) {
                if (!link.accepts(task)) {
                    continue;
                }
                accepted |= link.takesTasks();
                if (link.freeSlots() > 0 && (best == null || link.freeSlots() > best.freeSlots())) {
                    best = link;
                }
            }
            if (best == null) {
                if (!accepted && hasReadyWorker()) {
                    pending.pollFirst();
                    tooLarge.accept(task);
                    continue;
                }
                break;
            }
            pending.pollFirst();
            task.attempt++;
            task.worker = best;
            best.inFlight.put(task.id, task);
            sender.send(best, task);
            sent++;
        }
        return sent;
    }

    /**
     * A result arrived: returns its task (and frees the slot) if it answers the task's current
     * attempt on that worker, or null for a stale or duplicate result.
     */
    TaskHandle complete(WorkerLink link, long taskId, int attempt) {
        TaskHandle task = link.inFlight.get(taskId);
        if (task == null || task.attempt != attempt) {
            return null;
        }
        link.inFlight.remove(taskId);
        task.worker = null;
        return task;
    }

    /** A task that could not be sent after all: off the worker's books and back to the front of the queue. */
    void takeBack(WorkerLink link, TaskHandle task) {
        link.inFlight.remove(task.id);
        requeue(task);
    }

    /** The worker is gone: takes back all its in-flight tasks, for the caller to retry or fail. */
    List<TaskHandle> takeInFlight(WorkerLink link) {
        List<TaskHandle> tasks = new ArrayList<>(link.inFlight.values());
        link.inFlight.clear();
        for (TaskHandle t : tasks) {
            t.worker = null;
        }
        return tasks;
    }

    /**
     * A task was cancelled (or timed out): returns the worker it runs on, or null. One that still
     * waits stays in the queue, done, and {@link #dispatch} skips it; the queue is swept of such tasks
     * once the cancels since the last sweep outnumber half of it. Looking each one up in the queue instead cost a scan per
     * cancel: with 100,000 waiting tasks cancelled newest first, a new task ran 5.6 s after the first
     * cancel, the client's socket thread (and its heartbeats) held all along; now 0.6 s, most of it
     * the cancelling thread's own loop (measured on 2 cores).
     */
    WorkerLink cancelled(long taskId) {
        for (WorkerLink link : links.values()) {
            if (link.inFlight.containsKey(taskId)) {
                return link;
            }
        }
        if (++cancelledWaiting > Math.max(MIN_SWEEP, pending.size() / 2)) {
            pending.removeIf(task -> task.future.isDone());
            cancelledWaiting = 0;
        }
        return null;
    }

    /** Takes every pending task out (on close). */
    List<TaskHandle> drainPending() {
        List<TaskHandle> all = new ArrayList<>(pending);
        pending.clear();
        return all;
    }
}
