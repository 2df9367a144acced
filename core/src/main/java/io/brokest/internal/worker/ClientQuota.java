package io.brokest.internal.worker;

import io.brokest.internal.wire.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Iterator;

/**
 * How many tasks one client may have on this worker: up to {@code limit} running (or queued for a
 * thread), and as many again waiting here for one of those to finish. A client that keeps to the
 * credit it was granted never goes past the running limit; the waiting room absorbs the honest
 * overlap after a reconnect (tasks the worker still runs that the client already counts as lost), so
 * honest clients are never refused and never spin on refusals. Beyond both, tasks are refused: that
 * client is flooding, and must not take the threads from others.
 *
 * <p>Thread-safe: admitted on the socket thread, released on task threads.
 */
final class ClientQuota {
    enum Admission { RUN, WAIT, REJECT }

    private final int limit;
    private final ArrayDeque<Message.Submit> waiting = new ArrayDeque<>();
    private int active;
    private boolean closed;

    ClientQuota(int limit) {
        this.limit = limit;
    }

    synchronized Admission admit(Message.Submit submit) {
        if (closed) {
            return Admission.REJECT;
        }
        if (active < limit) {
            active++;
            return Admission.RUN;
        }
        if (waiting.size() < limit) {
            waiting.addLast(submit);
            return Admission.WAIT;
        }
        return Admission.REJECT;
    }

    /** A task of this client ended: returns the next waiting one, now admitted to run, or null. */
    synchronized Message.Submit release() {
        active--;
        if (!closed && !waiting.isEmpty()) {
            active++;
            return waiting.pollFirst();
        }
        return null;
    }

    synchronized boolean isWaiting(long taskId) {
        for (Message.Submit s : waiting) {
            if (s.taskId() == taskId) {
                return true;
            }
        }
        return false;
    }

    /** Takes a waiting task out (it was cancelled); returns it, or null if it was not waiting. */
    synchronized Message.Submit removeWaiting(long taskId) {
        for (Iterator<Message.Submit> it = waiting.iterator(); it.hasNext(); ) {
            Message.Submit s = it.next();
            if (s.taskId() == taskId) {
                it.remove();
                return s;
            }
        }
        return null;
    }

    /** Takes out up to {@code n} waiting tasks, the newest first (they are given back to the client). */
    synchronized List<Message.Submit> takeNewestWaiting(int n) {
        List<Message.Submit> taken = new ArrayList<>();
        while (taken.size() < n && !waiting.isEmpty()) {
            taken.add(waiting.pollLast());
        }
        return taken;
    }

    synchronized int active() {
        return active;
    }

    synchronized int waitingCount() {
        return waiting.size();
    }

    /** The session ended: nothing waiting will run. */
    synchronized void close() {
        closed = true;
        waiting.clear();
    }
}
