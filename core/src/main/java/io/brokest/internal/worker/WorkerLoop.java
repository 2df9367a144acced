package io.brokest.internal.worker;

import io.brokest.internal.util.Mailbox;
import io.brokest.internal.util.Printable;
import io.brokest.internal.util.RateLimitedLog;
import io.brokest.internal.wire.MalformedMessageException;
import io.brokest.internal.wire.Message;
import io.brokest.internal.wire.Protocol;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * The worker's socket loop. It owns the ROUTER socket: it decodes frames, keeps the session table,
 * hands SUBMITs to the {@link TaskRunner}, sends what the task threads post to the {@link Mailbox},
 * and keeps heartbeats both ways.
 *
 * <p>Two threads share it through a {@link SocketBaton}: one owns the socket, the other stands by.
 * When the worker is idle and a client's tasks have been short, the owner runs the next one itself
 * (no hand-off to a task thread and back); if that task runs past a millisecond or so, the standby
 * takes the socket over. So the loop never waits long on a task or a class fetch, and heartbeats stay
 * punctual however busy the task threads are.
 */
final class WorkerLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerLoop.class);
    /** Sessions each hold a class loader; a bound keeps a flood of HELLOs from exhausting memory. */
    static final int MAX_SESSIONS = 4096;
    /** Client names are cut to this in the logs. */
    static final int MAX_NAME_CHARS = 200;

    private final WorkerConfig config;
    private final ZContext context;
    private final TaskRunner runner;
    private final ContentStore store;
    private final Mailbox<Outgoing> outbox;
    /** Socket owner: whether to look for results every millisecond while tasks run. */
    private final ResultPolling polling;
    private final String workerId = UUID.randomUUID().toString();
    private final long epoch = System.currentTimeMillis() ^ System.nanoTime();
    private final Map<String, Session> sessionsByKey = new HashMap<>();
    private final Map<ByteBuffer, Session> sessionsByRoute = new HashMap<>();
    private final CountDownLatch bound = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final RateLimitedLog badInput = new RateLimitedLog(LOG, 10_000);

    private volatile String endpoint;
    private volatile RuntimeException bindFailure;
    private volatile boolean running = true;
    private volatile boolean draining;
    /** Set by {@link #kill()}: leave without sending anything more, as a process killed with -9 would. */
    private volatile boolean killed;
    private final Object freezeLock = new Object();
    private boolean frozen;

    /** Told when the loop dies of an unexpected error, so the engine can stop instead of idling deaf. */
    private final java.util.function.Consumer<Throwable> onFatal;

    WorkerLoop(WorkerConfig config, ZContext context, TaskRunner runner, ContentStore store,
               java.util.function.Consumer<Throwable> onFatal) {
        this.onFatal = onFatal;
        this.config = config;
        this.context = context;
        this.runner = runner;
        this.store = store;
        this.outbox = new Mailbox<>();
        this.polling = config.pollResults() ? ResultPolling.forThisProcess() : ResultPolling.never();
        this.tickNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(10, config.heartbeatMillis() / 4));
    }

    /** Waits until the socket is bound; returns the endpoint or throws why it could not bind. */
    String awaitBound() throws InterruptedException {
        bound.await();
        if (bindFailure != null) {
            throw bindFailure;
        }
        return endpoint;
    }

    /**
     * Fault injection for tests: the socket thread stops reading, writing and heartbeating, as if the
     * process were stopped with SIGSTOP. Tasks already running go on; their results wait.
     */
    void freeze() {
        synchronized (freezeLock) {
            frozen = true;
        }
        outbox.post(new Outgoing(null, null, null));
    }

    void thaw() {
        synchronized (freezeLock) {
            frozen = false;
            freezeLock.notifyAll();
        }
    }

    private void awaitThaw() {
        synchronized (freezeLock) {
            while (frozen && running) {
                try {
                    freezeLock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    void stop() {
        running = false;
        thaw();
        outbox.post(new Outgoing(null, null, null)); // wakes the loop
    }

    /** Fault injection for tests: stop at once and send nothing more, not even finished results. */
    void kill() {
        killed = true;
        stop();
    }

    boolean awaitStopped(long millis) throws InterruptedException {
        return stopped.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Stops taking tasks and tells every client to send new work elsewhere. */
    void drain() {
        draining = true;
        outbox.post(new Outgoing(null, null, null));
    }

    int runningTasks() {
        int n = 0;
        for (Session s : sessionsSnapshot()) {
            n += s.running.size();
        }
        return n;
    }

    /** Socket owner: the socket. It moves between the two socket threads only through {@link #baton}. */
    private ZMQ.Socket router;
    private final SocketBaton baton = new SocketBaton();
    /** Socket owner: what {@link #sendOutbox} drained, and the frames of the message it builds. */
    private final List<Outgoing> batch = new ArrayList<>();
    private final List<byte[]> frames = new ArrayList<>();
    /** Socket owner: a short task to run on this thread at the end of the turn ({@link TaskRunner#start}). */
    private Runnable taskForThisThread;
    private final java.util.function.Predicate<Runnable> offerToThisThread = this::runHere;
    private final long tickNanos;
    /** Socket owner. */
    private long nextTick;
    /** Socket owner. */
    private boolean drainAnnounced;

    private volatile java.util.List<Session> sessionsView = java.util.List.of();

    java.util.List<Session> sessionsSnapshot() {
        return sessionsView;
    }

    @Override
    public void run() {
        try {
            router = context.createSocket(SocketType.ROUTER);
            router.setLinger(0);
            router.setSndHWM(100_000);
            router.setRcvHWM(100_000);
            router.setMaxMsgSize(config.maxMessageBytes() + 1024L);
            config.security().apply(context, router);
            router.bind(config.bind());
            endpoint = router.getLastEndpoint();
        } catch (ZMQException e) {
            bindFailure = new IllegalStateException("cannot bind " + config.bind() + ": "
                    + (e.getErrorCode() == ZMQ.Error.EADDRINUSE.getCode()
                    ? "the address is already in use; pick another port with --bind" : e.getMessage()), e);
            bound.countDown();
            stopped.countDown();
            return;
        } catch (RuntimeException e) {
            bindFailure = new IllegalStateException("cannot bind " + config.bind() + ": " + e.getMessage(), e);
            bound.countDown();
            stopped.countDown();
            return;
        }
        bound.countDown();
        outbox.register(router);
        nextTick = System.nanoTime() + tickNanos;
        Thread standby = new Thread(() -> {
            if (baton.standBy()) {
                serve();
            }
        }, Thread.currentThread().getName() + "-2");
        standby.setDaemon(true);
        standby.start();
        serve();
    }

    /**
     * Runs the socket loop on whichever of the two socket threads owns the socket ({@link SocketBaton}):
     * until the worker stops, or until the other thread takes over while this one runs a task; then
     * this one stands by, and may own the socket again later.
     */
    private void serve() {
        while (true) {
            if (turns()) {
                cleanUp();
                return;
            }
            if (!baton.standBy()) {
                return;
            }
        }
    }

    /** Socket owner: the loop. Returns true when it ended, false when this thread lost the socket. */
    private boolean turns() {
        try {
            while (running) {
                awaitThaw();
                if (killed) {
                    break;
                }
                long now = System.nanoTime();
                outbox.await(Math.min(nextTick - now,
                        polling.maxWaitNanos(now, sessionsByKey.values(), runner.tasksRunning())));
                awaitResultsEndingTogether();
                receiveAll(router);
                sendOutbox(router); // every turn: cheap, and no wake-up can be missed
                if (taskForThisThread != null && !runTaskHere()) {
                    return false;
                }
                if (draining && !drainAnnounced) {
                    drainAnnounced = true;
                    for (Session s : sessionsByKey.values()) {
                        sendNow(router, s, new Message.Bye("worker is shutting down"));
                    }
                }
                now = System.nanoTime();
                if (now - nextTick >= 0) {
                    tick(router, now);
                    nextTick = now + tickNanos;
                }
            }
            if (!killed) {
                sendOutbox(router); // results of tasks that finished while we stopped
            }
        } catch (RuntimeException | Error e) {
            if (running) {
                LOG.error("worker socket loop failed; the worker stops", e);
                onFatal.accept(e);
            }
        }
        return true;
    }

    /**
     * Socket owner: when results are ready and other tasks are about to end, waits for those too, so
     * that all leave in one burst ({@link ResultBatching}; at most about half a millisecond).
     */
    private void awaitResultsEndingTogether() {
        if (outbox.isEmpty()) {
            return;
        }
        long hold = ResultBatching.holdNanos(sessionsByKey.values(), System.nanoTime());
        if (hold > 0) {
            // a timed wait, not a wake-up per result: waking for each one is the cost the burst saves; at
            // worst a result that came early waits until the window's end, 0.6 ms
            LockSupport.parkNanos(hold);
        }
    }

    /**
     * Socket owner: runs the short task the {@link TaskRunner} left for this thread, then sends its
     * result at once. Returns false if the standby took the socket over meanwhile (the task ran long).
     */
    private boolean runTaskHere() {
        Runnable task = taskForThisThread;
        taskForThisThread = null;
        long ticket = baton.beginTask();
        try {
            task.run();
        } finally {
            Thread.interrupted(); // a cancel's interrupt must never reach ZeroMQ on this thread
        }
        if (!baton.endTask(ticket)) {
            return false; // the result is in the outbox, for the new owner
        }
        sendOutbox(router);
        return true;
    }

    private void cleanUp() {
        baton.stop();
        for (Session s : sessionsByKey.values()) {
            s.close("worker stopped");
        }
        outbox.unregister(router);
        context.destroySocket(router);
        outbox.close();
        polling.close();
        stopped.countDown();
    }

    /**
     * Socket owner: the runner leaves a short task for this thread; one per turn, and only while the
     * standby is there to take over. Otherwise it goes to the task threads.
     */
    private boolean runHere(Runnable task) {
        if (taskForThisThread != null || !baton.hasStandby()) {
            return false;
        }
        taskForThisThread = task;
        return true;
    }

    private void receiveAll(ZMQ.Socket router) {
        for (int i = 0; i < 10_000; i++) {
            byte[] route = router.recv(ZMQ.DONTWAIT);
            if (route == null) {
                return;
            }
            if (!router.hasReceiveMore()) {
                badInput.warn("dropped a message with no body");
                continue;
            }
            // a message carries one or more frames, each a whole Brokest message (see Protocol)
            while (router.hasReceiveMore()) {
                zmq.Msg body = router.recvMsg(ZMQ.DONTWAIT);
                if (body == null) {
                    break;
                }
                String refusal = config.security().refusal(body);
                if (refusal != null) {
                    refuse(router, route, refusal);
                    continue;
                }
                handle(router, route, body.data());
            }
        }
    }

    /** A message from a connection whose key is no longer trusted: its session ends, the message is dropped. */
    private void refuse(ZMQ.Socket router, byte[] route, String why) {
        Session session = sessionsByRoute.get(ByteBuffer.wrap(route));
        if (session != null) {
            endSession(session, "was cut off: " + why);
            sendRaw(router, route, Protocol.encode(new Message.Error("this worker no longer accepts this client: "
                    + why)));
        } else {
            badInput.warn("dropped a message: " + why);
        }
    }

    private void handle(ZMQ.Socket router, byte[] route, byte[] frame) {
        Message message;
        try {
            message = Protocol.decode(frame);
        } catch (MalformedMessageException e) {
            badInput.warn("dropped a malformed message (" + frame.length + " bytes): " + e.getMessage());
            int version = Protocol.versionOf(frame);
            if (version >= 0 && version != Protocol.VERSION) {
                sendRaw(router, route, Protocol.encode(new Message.Error(e.getMessage())));
            }
            return;
        }
        Session session = sessionsByRoute.get(ByteBuffer.wrap(route));
        if (message instanceof Message.Hello hello) {
            welcome(router, route, hello);
            return;
        }
        if (session == null) {
            if (message instanceof Message.Ping) {
                return; // a ping still queued on a connection the client has since replaced
            }
            badInput.warn("dropped a " + message.getClass().getSimpleName() + " from a peer that never said HELLO");
            return;
        }
        session.lastHeardNanos = System.nanoTime();
        if (message instanceof Message.Submit submit) {
            if (draining || !runner.start(session, submit, offerToThisThread)) {
                sendNow(router, session, new Message.Result(submit.taskId(), submit.attempt(),
                        Message.Result.REJECTED, new byte[0]));
            }
        } else if (message instanceof Message.ClassData data) {
            session.classDataArrived(data);
        } else if (message instanceof Message.Cancel cancel) {
            runner.cancel(session, cancel.taskId());
        } else if (message instanceof Message.Bye) {
            endSession(session, "left");
        } else if (!(message instanceof Message.Ping)) {
            badInput.warn("dropped an unexpected " + message.getClass().getSimpleName() + " from client "
                    + session.clientName);
        }
    }

    private void welcome(ZMQ.Socket router, byte[] route, Message.Hello hello) {
        String key = Long.toHexString(hello.sessionHi()) + Long.toHexString(hello.sessionLo());
        Session session = sessionsByKey.get(key);
        // the peer's words: logged with every line about this client, so made unable to forge lines
        String name = hello.clientName() == null ? key : Printable.of(hello.clientName(), MAX_NAME_CHARS);
        Session onRoute = sessionsByRoute.get(ByteBuffer.wrap(route));
        if (onRoute != null && onRoute != session) {
            // a real client keeps one session per connection: a new one here is a confused or hostile peer
            endSession(onRoute, "was replaced by another session on the same connection");
        }
        if (session == null && sessionsByKey.size() >= MAX_SESSIONS) {
            badInput.warn("refused a new client session: " + MAX_SESSIONS + " sessions are open");
            sendRaw(router, route, Protocol.encode(new Message.Error("this worker has too many clients")));
            return;
        }
        if (session == null) {
            // results bigger than the client accepts fail here, with the reason, instead of making its
            // socket drop the connection (at least 1 KiB, whatever a peer claims)
            int maxMessageBytes = Math.max(1024, Math.min(config.maxMessageBytes(), hello.maxMessageBytes()));
            session = new Session(key, name, outbox, store, maxMessageBytes,
                    config.classFetchTimeoutMillis(), config.maxTasksPerClient(), config.newCredit());
            sessionsByKey.put(key, session);
            publishSessions();
            LOG.info("client {} connected", name);
        } else if (session.routingId != null) {
            sessionsByRoute.remove(ByteBuffer.wrap(session.routingId));
        }
        session.routingId = route;
        // clamped, so a peer cannot keep a session (and its class loader) alive forever by announcing
        // an endless heartbeat
        session.heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(Math.min(60_000, Math.max(100, hello.heartbeatMillis())));
        session.lastHeardNanos = System.nanoTime();
        sessionsByRoute.put(ByteBuffer.wrap(route), session);
        sendNow(router, session, new Message.Welcome(workerId, epoch, draining ? 0 : session.credit.granted(),
                config.heartbeatMillis(), config.maxMessageBytes()));
        if (draining) {
            sendNow(router, session, new Message.Bye("worker is shutting down"));
        }
    }

    private void endSession(Session session, String how) {
        sessionsByKey.remove(session.key);
        if (session.routingId != null) {
            sessionsByRoute.remove(ByteBuffer.wrap(session.routingId));
        }
        int cancelled = session.running.size();
        session.close(how);
        publishSessions();
        LOG.info("client {} {}{}", session.clientName, how,
                cancelled == 0 ? "" : "; cancelled its " + cancelled + " running task(s)");
    }

    private void publishSessions() {
        sessionsView = java.util.List.copyOf(sessionsByKey.values());
    }

    private void tick(ZMQ.Socket router, long now) {
        long ping = TimeUnit.MILLISECONDS.toNanos(config.heartbeatMillis());
        for (Session s : new ArrayList<>(sessionsByKey.values())) {
            if (now - s.lastHeardNanos > s.heartbeatNanos * config.liveness()) {
                endSession(s, "went silent for " + TimeUnit.NANOSECONDS.toMillis(now - s.lastHeardNanos) + " ms");
            } else if (now - s.lastSentNanos >= Math.min(ping, s.heartbeatNanos)) {
                // the client judges our liveness by its own interval, so ping at least that often
                sendNow(router, s, new Message.Ping());
            }
        }
    }

    /**
     * Socket owner: sends what the task threads posted. The frames for one client leave as one ZeroMQ
     * message of several frames (up to {@link Protocol#MAX_FRAMES_PER_MESSAGE} and {@link Protocol#MAX_BATCH_BYTES}),
     * in the order they were posted. A message costs the JeroMQ I/O threads of both ends a wake-up
     * each, where a burst of single-frame messages cost one per frame: the I/O thread, woken by the
     * first, takes the core from this thread, writes that one message and sleeps again before the
     * next is queued (seen with {@code perf sched} on 2 cores).
     */
    private void sendOutbox(ZMQ.Socket router) {
        outbox.drain(batch::add);
        if (batch.isEmpty()) {
            return;
        }
        for (int from = 0; from < batch.size(); from++) {
            Outgoing first = batch.get(from);
            if (first == null || first.frame() == null) {
                continue; // a wake-up only, or already sent with an earlier one of its session
            }
            Session session = first.session();
            if (session == null) {
                sendRaw(router, first.routingId(), first.frame());
                continue;
            }
            frames.clear();
            int bytes = 0;
            for (int i = from; i < batch.size() && frames.size() < Protocol.MAX_FRAMES_PER_MESSAGE; i++) {
                Outgoing out = batch.get(i);
                if (out == null || out.session() != session || out.frame() == null) {
                    continue;
                }
                if (!frames.isEmpty() && bytes + out.frame().length > Protocol.MAX_BATCH_BYTES) {
                    break; // the rest of this session's frames start the next message
                }
                frames.add(out.frame());
                bytes += out.frame().length;
                batch.set(i, null);
            }
            if (!session.isClosed() && session.routingId != null) {
                session.lastSentNanos = System.nanoTime();
                sendRaw(router, session.routingId, frames);
            }
        }
        batch.clear();
    }

    private void sendNow(ZMQ.Socket router, Session session, Message message) {
        session.lastSentNanos = System.nanoTime();
        sendRaw(router, session.routingId, Protocol.encode(message));
    }

    private static void sendRaw(ZMQ.Socket router, byte[] route, byte[] frame) {
        // ROUTER drops what it cannot route; a client that vanished is noticed by heartbeats.
        if (router.send(route, ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
            router.send(frame, ZMQ.DONTWAIT);
        }
    }

    private static void sendRaw(ZMQ.Socket router, byte[] route, List<byte[]> frames) {
        if (router.send(route, ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
            for (int i = 0; i < frames.size(); i++) {
                router.send(frames.get(i), i < frames.size() - 1 ? ZMQ.SNDMORE | ZMQ.DONTWAIT : ZMQ.DONTWAIT);
            }
        }
    }

    String workerId() {
        return workerId;
    }

    String endpoint() {
        return endpoint;
    }
}
