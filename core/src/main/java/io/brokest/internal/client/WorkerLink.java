package io.brokest.internal.client;

import io.brokest.internal.util.Printable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.zeromq.ZMQ;

/**
 * The client's view of one worker: its socket, whether it is ready, its capacity and the tasks sent to
 * it that have no result yet. Owned by the agent thread. The socket is null only while a failed
 * connect waits to be tried again.
 */
final class WorkerLink {
    enum State { CONNECTING, READY, LOST }

    final String endpoint;
    ZMQ.Socket socket;
    State state = State.CONNECTING;
    /** The worker stops taking tasks (it said BYE): keep its in-flight tasks, send it nothing new. */
    boolean draining;
    String workerId;
    long epoch;
    boolean everWelcomed;
    int capacity;
    /** The largest message the worker accepts (from WELCOME): a bigger task would cost the connection. */
    int maxMessageBytes = Integer.MAX_VALUE;
    final Map<Long, TaskHandle> inFlight = new LinkedHashMap<>();
    long lastHeardNanos;
    /**
     * The worker pings at its own interval, which may be longer than ours: it advertises it in WELCOME,
     * and silence is judged against the longer of the two. Zero until welcomed.
     */
    long heartbeatNanos;
    long lastSentNanos;
    long connectedSinceNanos;
    /** Set when the user removed this worker: it gets no new tasks and goes once its tasks are done. */
    boolean removed;
    /** The "has not answered" warning was logged for the current connection. */
    boolean noAnswerWarned;
    /**
     * Why the last connect failed (its host name did not resolve, say), or null. The socket is null
     * then, and the agent tries again at {@link #nextConnectNanos}.
     */
    String connectError;
    int connectFailures;
    long nextConnectNanos;
    /** A helper thread looks the host up before the next connect. */
    boolean resolving;

    WorkerLink(String endpoint) {
        this.endpoint = endpoint;
    }

    int freeSlots() {
        return takesTasks() ? capacity - inFlight.size() : 0;
    }

    /** Whether it takes new tasks at all (free slots or not). */
    boolean takesTasks() {
        return state == State.READY && !draining && !removed;
    }

    /** Whether a task this large may be sent to it. */
    boolean accepts(TaskHandle task) {
        return task.payload.length <= maxMessageBytes;
    }

    @Override
    public String toString() {
        // the id is the worker's word: any length (an impostor's may be shorter than 8), any characters
        return "worker " + endpoint + (workerId == null ? ""
                : " (" + Printable.of(workerId.substring(0, Math.min(8, workerId.length())), 8) + ")");
    }
}
