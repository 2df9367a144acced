package io.brokest.internal.client;

import io.brokest.AuthenticationException;
import io.brokest.BrokestException;
import io.brokest.WorkerLostException;
import io.brokest.internal.security.BindPolicy;
import io.brokest.internal.serial.MessageTooLargeException;
import io.brokest.internal.util.Endpoints;
import io.brokest.internal.util.Mailbox;
import io.brokest.internal.util.Printable;
import io.brokest.internal.util.RateLimitedLog;
import io.brokest.internal.wire.MalformedMessageException;
import io.brokest.internal.wire.Message;
import io.brokest.internal.wire.Protocol;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import zmq.ZError;

/**
 * The client's socket thread: owns one DEALER socket per worker, lending them while it waits for
 * input to a thread that submits a task ({@link #sendNow}) or spins for a result ({@link
 * #readForSpinner}). It takes commands from the {@link Mailbox}, lets the {@link Dispatcher} decide
 * where tasks go, reads WELCOME, RESULT and CLASS_REQ messages, and keeps heartbeats. It never
 * decodes results nor reads class files (those go to helper executors), so its heartbeats stay
 * punctual.
 *
 * <p>Liveness: a worker that sends nothing for {@code liveness} heartbeat intervals (the longer of ours
 * and the one it advertised in WELCOME, since it pings only at its own pace) is declared lost;
 * its tasks go back to the queue (within their retry budget) and its socket is replaced, which drops
 * anything still queued for it, so a frozen worker that wakes up cannot receive stale tasks.
 */
final class ClientAgent implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientAgent.class);
    /** A worker that has not answered for this long since its connection opened gets a warning. */
    static final long NO_ANSWER_WARNING_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** The first wait before connecting again after a failed connect; it doubles up to the next. */
    static final long FIRST_RECONNECT_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long MAX_RECONNECT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final ClientConfig config;
    private final ZContext context;
    private final Mailbox<Command> mailbox;
    private final Dispatcher dispatcher = new Dispatcher(this::failTooLarge);
    /** What workers send that makes no sense: logged at most every 10 s, so a worker cannot flood the log. */
    private final RateLimitedLog badInput = new RateLimitedLog(LOG, 10_000);
    /** Agent only: the tasks {@link #queueTask} collected this turn, by worker, and a message's frames. */
    private final Map<WorkerLink, List<TaskHandle>> queuedTasks = new LinkedHashMap<>();
    private final List<byte[]> frames = new ArrayList<>();
    private final Completer completer;
    private final ClassServer classServer;
    /** Helper threads for what may block: reading class files, and looking worker host names up again. */
    private final ExecutorService classThreads;
    private final byte[] hello;
    private final long heartbeatNanos;
    private final long noWorkerTimeoutNanos;

    /** Socket-owner state: the agent's, or a submitting thread's in {@link #sendNow}. */
    private boolean running = true;
    /** Agent only: since when tasks wait with no worker at all (0: not now), and whether that was logged. */
    private long noWorkersSinceNanos;
    private boolean noWorkersWarned;
    /** Agent only: what tasks that arrive after it stopped fail with. */
    private BrokestException stopReason = new BrokestException("the Brokest client was closed before the task finished");
    /**
     * Held by the agent except while it waits for input, and by a thread in {@link #sendNow}: whoever
     * holds it may use the sockets and the dispatcher (the lock is also the memory barrier ZeroMQ asks
     * for when a socket is used from another thread).
     */
    private final ReentrantLock socketLock = new ReentrantLock();
    /** Owner state: a send failed with EINTR, swallowing the interrupt of a thread in {@link #sendNow}. */
    private boolean interruptSwallowed;
    /** Owner state: the last send failed only because its thread was interrupted. */
    private boolean sendInterrupted;
    /**
     * Owner state: what broke the sockets or the dispatcher under a caller's thread ({@link #sendNow},
     * {@link #readForSpinner}). The agent rethrows it, so it fails every task (that one too) just as
     * if the agent had met it itself.
     */
    private Throwable failedOnCallerThread;
    /**
     * Owner state: a thread in {@link #sendNow} sent tasks since the last one that found no free slot
     * (which then yields its core once, see there).
     */
    private boolean sentSinceYield;
    /** How many times {@link #sendNow} yielded, for tests (written under the socket lock). */
    private volatile long burstYields;
    /** How many times {@link #readForSpinner} read input, for tests (written under the socket lock). */
    private volatile long spinnerReads;
    /** Fault injection for tests: every send throws this. */
    private volatile RuntimeException sendFault;

    ClientAgent(ClientConfig config, ZContext context, Mailbox<Command> mailbox, Completer completer,
                ClassServer classServer, ExecutorService classThreads, Message.Hello hello,
                long noWorkerTimeoutNanos) {
        this.config = config;
        this.context = context;
        this.mailbox = mailbox;
        this.completer = completer;
        this.classServer = classServer;
        this.classThreads = classThreads;
        this.hello = Protocol.encode(hello);
        this.heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(config.heartbeatMillis());
        this.noWorkerTimeoutNanos = noWorkerTimeoutNanos;
    }

    @Override
    public void run() {
        socketLock.lock();
        try {
            for (String endpoint : config.endpoints()) {
                addWorker(endpoint);
            }
            long tickNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10), heartbeatNanos / 4);
            long nextTick = System.nanoTime() + tickNanos;
            while (running) {
                mailbox.await(nextTick - System.nanoTime(), socketLock);
                rethrowFailureOnCallerThread();
                receiveReady();
                completer.flush();
                mailbox.drain(this::execute); // every turn: cheap, and no wake-up can be missed
                if (running) {
                    dispatcher.dispatch(this::queueTask);
                    sendQueuedTasks();
                }
                long now = System.nanoTime();
                if (now - nextTick >= 0) {
                    tick(now);
                    nextTick = now + tickNanos;
                }
            }
        } catch (RuntimeException | Error e) {
            completer.flush(); // results already read still complete their futures
            LOG.error("Brokest client agent failed; failing all tasks", e);
            stopReason = new BrokestException("the Brokest client stopped after an internal error: " + e, e);
            failEverything(stopReason);
        } finally {
            running = false; // so no submitting thread uses the sockets destroyed here
            BrokestException reason = stopReason;
            mailbox.stop(command -> failIfSubmit(command, reason)); // tasks posted too late fail, never hang
            for (WorkerLink link : dispatcher.links()) {
                if (link.socket != null) {
                    mailbox.unregister(link.socket);
                    context.destroySocket(link.socket);
                }
            }
            socketLock.unlock();
        }
    }

    /**
     * A submitting thread: while the agent waits for input, it sends its task itself, which saves
     * waking the agent for it (one thread hand-off per round trip). Returns false, and the caller
     * posts the task instead, when the agent is busy (it would see the task at once anyway), the
     * caller is interrupted (JeroMQ refuses to work on interrupted threads), or commands wait in the
     * mailbox (they go first, so one thread's tasks keep their order).
     *
     * <p>The first submit to find no free slot after others were sent yields the caller's core once.
     * Those sends woke JeroMQ's I/O thread, which the scheduler often queues on the sender's core: on
     * a 2-core VM it ran only once a loop of 1,000 submits had ended (0.5-1.6 ms after the first).
     * Yielding when the workers' slots are full lets it put the burst on the wire while the caller
     * goes on queueing the rest. One-at-a-time callers always find a free slot and never yield.
     */
    boolean sendNow(TaskHandle task) {
        if (Thread.currentThread().isInterrupted() || !socketLock.tryLock()) {
            return false;
        }
        boolean yieldAfter = false;
        try {
            if (!running || !mailbox.isEmpty() || socketLock.hasQueuedThreads()) {
                return false; // (the last: the agent woke and waits for the lock; submitters must not starve it)
            }
            task.queuedSinceNanos = System.nanoTime();
            dispatcher.enqueue(task);
            try {
                if (dispatcher.dispatch(this::sendTask) > 0) {
                    wakeAgentIfInputWaits(); // only a thread that used the sockets can have read their signals
                    sentSinceYield = true;
                } else if (sentSinceYield) {
                    sentSinceYield = false;
                    yieldAfter = true;
                    burstYields++;
                }
            } catch (RuntimeException | Error e) {
                // thrown to the caller, it would leave the task in the dispatcher, unsent and never failed
                failedOnCallerThread = e;
                mailbox.wakeUp();
            }
            return true;
        } finally {
            if (interruptSwallowed) {
                interruptSwallowed = false;
                Thread.currentThread().interrupt();
            }
            socketLock.unlock();
            if (yieldAfter) {
                Thread.yield();
            }
        }
    }

    /**
     * A thread spinning on a task's future ({@link SpinWait}): while the agent waits for input, reads
     * what has arrived itself, as the agent would, so a result reaches the spinner without a wake-up of
     * the agent and a hand-off from it. Brokest's {@code zmq.Signaler} counts a signal before it writes
     * it, so the spinner sees a result as soon as JeroMQ's I/O thread has queued it. Returns at once
     * when the agent is busy (it reads the input anyway) or a command waits for it.
     */
    void readForSpinner() {
        // tryLock barges past a queued agent, so look first: a spinner must not keep the agent waiting
        if (Thread.currentThread().isInterrupted() || socketLock.hasQueuedThreads() || !socketLock.tryLock()) {
            return;
        }
        try {
            if (!running || !mailbox.isEmpty() || socketLock.hasQueuedThreads()) {
                return;
            }
            if (receiveReady()) {
                spinnerReads++;
                completer.flush();
                dispatcher.dispatch(this::sendTask); // results freed slots: tasks queued for them go now
                wakeAgentIfInputWaits();
            }
        } catch (RuntimeException | Error e) {
            failedOnCallerThread = e; // the agent rethrows it and fails every task, as if it had met it itself
            mailbox.wakeUp();
        } finally {
            if (interruptSwallowed) {
                interruptSwallowed = false;
                Thread.currentThread().interrupt();
            }
            socketLock.unlock();
        }
    }

    /**
     * Owner: reads every socket that has input (the agent each turn, a spinner while it spins);
     * returns whether any had.
     */
    private boolean receiveReady() {
        boolean read = false;
        int linkCount = dispatcher.links().size();
        for (WorkerLink link : dispatcher.links()) {
            if (link.socket == null) {
                continue;
            }
            int events = eventsOf(link.socket);
            if (events > 0 && (events & ZMQ.Poller.POLLIN) != 0) {
                receiveAll(link);
                read = true;
                if (dispatcher.links().size() != linkCount) {
                    break; // a link was dropped while reading; the others are read next turn
                }
            }
        }
        return read;
    }

    private void rethrowFailureOnCallerThread() {
        Throwable failure = failedOnCallerThread;
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
    }

    void injectSendFault(RuntimeException fault) {
        sendFault = fault;
    }

    long burstYields() {
        return burstYields;
    }

    long spinnerReads() {
        return spinnerReads;
    }

    /**
     * Any call on a ZeroMQ socket reads the socket's pending commands, "input arrived" among them, and
     * with them the signal on the descriptor the agent's selector waits on. So after using the sockets
     * from another thread, look for input, and wake the agent if some waits; otherwise the next input
     * signals anew.
     */
    private void wakeAgentIfInputWaits() {
        for (WorkerLink link : dispatcher.links()) {
            if (link.socket == null) {
                continue;
            }
            int events = eventsOf(link.socket);
            if (events < 0 || (events & ZMQ.Poller.POLLIN) != 0) {
                mailbox.wakeUp();
                return;
            }
        }
    }

    /**
     * A socket's events, from a caller's thread: JeroMQ clears the thread's interrupt and fails with
     * EINTR, so note it for the caller's flag to be restored.
     */
    private int eventsOf(ZMQ.Socket socket) {
        int events = socket.getEvents();
        if (events < 0 && socket.errno() == ZError.EINTR) {
            interruptSwallowed = true;
        }
        return events;
    }

    private void execute(Command command) {
        if (command instanceof Command.Submit s) {
            if (!running) {
                completer.fail(s.task(), new BrokestException("the Brokest client is closed"));
            } else {
                s.task().queuedSinceNanos = System.nanoTime();
                dispatcher.enqueue(s.task());
            }
        } else if (command instanceof Command.Cancel c) {
            WorkerLink link = dispatcher.cancelled(c.taskId());
            if (link != null && link.state == WorkerLink.State.READY) {
                send(link, Protocol.encode(new Message.Cancel(c.taskId())));
            }
        } else if (command instanceof Command.ReplyClassData r) {
            WorkerLink link = dispatcher.link(r.endpoint());
            if (link != null) {
                send(link, Protocol.encode(r.data()));
            }
        } else if (command instanceof Command.AddWorker a) {
            addWorker(a.endpoint());
        } else if (command instanceof Command.RemoveWorker r) {
            removeWorker(r.endpoint());
        } else if (command instanceof Command.Reconnect r) {
            WorkerLink link = dispatcher.link(r.endpoint());
            if (link != null) {
                link.resolving = false;
                if (link.socket == null && !link.removed) {
                    openSocket(link);
                }
            }
        } else if (command instanceof Command.Shutdown) {
            shutdown();
        }
    }

    private void addWorker(String endpoint) {
        WorkerLink existing = dispatcher.link(endpoint);
        if (existing != null) {
            existing.removed = false;
            return;
        }
        WorkerLink link = new WorkerLink(endpoint);
        link.lastHeardNanos = System.nanoTime();
        openSocket(link);
        dispatcher.addLink(link);
        if (!config.security().isCurve()) {
            warnIfBeyondThisMachine(endpoint);
        }
    }

    /**
     * Without CURVE a worker is only safe on this machine (a worker refuses to listen anywhere else
     * without keys unless told {@code --insecure}): say so once for any other. On a helper thread,
     * since deciding may look a host name up.
     */
    private void warnIfBeyondThisMachine(String endpoint) {
        try {
            classThreads.execute(() -> {
                if (!BindPolicy.isLoopback(endpoint)) {
                    LOG.warn("worker {} may be on another machine and this client has no CURVE keys: tasks, with "
                            + "your classes and data, and their results cross the network unencrypted, and whoever "
                            + "answers at that address runs them and is believed. Give the client clientKey(...) "
                            + "and workerPublicKey(...) (README, Security)", endpoint);
                }
            });
        } catch (RejectedExecutionException e) {
            // the client is closing
        }
    }

    private void removeWorker(String endpoint) {
        WorkerLink link = dispatcher.link(endpoint);
        if (link == null) {
            return;
        }
        link.removed = true;
        if (link.inFlight.isEmpty()) {
            dropLink(link);
        }
    }

    private void dropLink(WorkerLink link) {
        if (link.state == WorkerLink.State.READY) {
            send(link, Protocol.encode(new Message.Bye("worker removed by the client")));
        }
        dispatcher.removeLink(link);
        if (link.socket != null) { // null while connecting again after a failed connect
            mailbox.unregister(link.socket);
            context.destroySocket(link.socket);
            link.socket = null;
        }
        LOG.info("removed {}", link);
    }

    private void openSocket(WorkerLink link) {
        ZMQ.Socket socket = context.createSocket(SocketType.DEALER);
        socket.setLinger(0);
        socket.setSndHWM(100_000);
        socket.setRcvHWM(100_000);
        socket.setMaxMsgSize(config.maxMessageBytes() + 1024L);
        socket.setHelloMsg(hello);
        socket.setHandshakeIvl(2_000); // a stuck ZMTP handshake retries instead of waiting 30 s (jeromq#1022)
        socket.setReconnectIVL(100);
        socket.setReconnectIVLMax(2_000);
        config.security().apply(socket, link.endpoint);
        link.state = WorkerLink.State.CONNECTING;
        link.connectedSinceNanos = System.nanoTime();
        link.noAnswerWarned = false;
        try {
            socket.connect(link.endpoint); // resolves the host name: fails for one that does not resolve
        } catch (ZMQException | IllegalArgumentException e) {
            context.destroySocket(socket);
            connectFailed(link, e);
            return;
        }
        mailbox.register(socket);
        link.socket = socket;
        if (link.connectError != null) {
            LOG.info("{}: connecting, now that its endpoint can be connected to", link);
        }
        link.connectError = null;
        link.connectFailures = 0;
    }

    /**
     * A worker's endpoint could not be connected to (its host name does not resolve, say, which may be
     * a typo or a DNS hiccup): the link stays, without a socket, and {@link #tick} tries again later,
     * waiting longer each time. Its share of the tasks goes to the other workers meanwhile.
     */
    private void connectFailed(WorkerLink link, Exception e) {
        link.socket = null;
        link.connectFailures++;
        long wait = Math.min(MAX_RECONNECT_NANOS, FIRST_RECONNECT_NANOS << Math.min(link.connectFailures - 1, 5));
        link.nextConnectNanos = System.nanoTime() + wait;
        String why = describeConnectFailure(e);
        if (!why.equals(link.connectError)) {
            LOG.warn("cannot connect to {}: {}. Check the endpoint; trying again in {} s, then less and less "
                    + "often (every {} s at most); other workers take the tasks meanwhile", link, why,
                    TimeUnit.NANOSECONDS.toSeconds(wait), TimeUnit.NANOSECONDS.toSeconds(MAX_RECONNECT_NANOS));
        }
        link.connectError = why;
    }

    private static String describeConnectFailure(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                return "its host name does not resolve"; // the JDK's text differs from a cached answer to a fresh one
            }
        }
        return e.toString();
    }

    /**
     * Agent only: looks the host name up on a helper thread (a lookup can take seconds while DNS is
     * unreachable, and the agent keeps the heartbeats), then connects with the answer the JDK cached.
     */
    private void reconnectLater(WorkerLink link) {
        link.resolving = true;
        String endpoint = link.endpoint;
        try {
            classThreads.execute(() -> {
                Endpoints.lookUpHost(endpoint);
                mailbox.post(new Command.Reconnect(endpoint));
            });
        } catch (RejectedExecutionException closing) {
            link.resolving = false; // the client is closing: no more attempts
        }
    }

    private void receiveAll(WorkerLink link) {
        for (int i = 0; i < 10_000 && link.socket != null; i++) {
            byte[] frame = receiveNow(link.socket);
            if (frame == null || frame == INTERRUPTED) {
                interruptSwallowed |= frame == INTERRUPTED;
                return;
            }
            link.lastHeardNanos = System.nanoTime();
            ZMQ.Socket socket = link.socket;
            // a message carries one or more frames, each a whole Brokest message (see Protocol); the
            // rest of one is dropped if handling a frame closed its socket, and read as the next
            // message if an interrupt stopped the reading
            while (frame != null && frame != INTERRUPTED) {
                handleFrame(link, frame);
                frame = link.socket == socket && socket.hasReceiveMore() ? receiveNow(socket) : null;
            }
            if (frame == INTERRUPTED) {
                interruptSwallowed = true;
                return;
            }
        }
    }

    /** What {@link #receiveNow} returns when its thread was interrupted. */
    static final byte[] INTERRUPTED = new byte[0];

    /**
     * The next frame waiting on the socket, or null. On a caller's thread ({@link #readForSpinner})
     * JeroMQ may meet an interrupt: it clears the thread's flag and throws EINTR, which would fail the
     * whole client; then this returns {@link #INTERRUPTED}, and the caller restores the flag.
     */
    static byte[] receiveNow(ZMQ.Socket socket) {
        try {
            return socket.recv(ZMQ.DONTWAIT);
        } catch (ZMQException e) {
            if (e.getErrorCode() != ZError.EINTR) {
                throw e;
            }
            return INTERRUPTED;
        }
    }

    private void handleFrame(WorkerLink link, byte[] frame) {
        Message message;
        try {
            message = Protocol.decode(frame);
        } catch (MalformedMessageException e) {
            badInput.warn("dropped a malformed message from " + link + ": " + e.getMessage());
            return;
        }
        handle(link, message);
    }

    private void handle(WorkerLink link, Message message) {
        if (message instanceof Message.Result result) {
            onResult(link, result);
        } else if (message instanceof Message.ClassRequest request) {
            String endpoint = link.endpoint;
            classThreads.execute(() -> mailbox.post(new Command.ReplyClassData(endpoint, classServer.answer(request))));
        } else if (message instanceof Message.Welcome welcome) {
            onWelcome(link, welcome);
        } else if (message instanceof Message.Credit credit) {
            if (credit.credit() > 0) {
                link.capacity = credit.credit(); // a lower one takes effect as results free slots
            }
        } else if (message instanceof Message.Bye bye) {
            if (!link.draining) {
                LOG.info("{} is draining ({}); sending new tasks elsewhere", link, Printable.of(bye.reason(), 1000));
            }
            link.draining = true;
        } else if (message instanceof Message.Error error) {
            badInput.warn(link + " reported a protocol error: " + Printable.of(error.reason(), 1000));
        }
    }

    private void onWelcome(WorkerLink link, Message.Welcome welcome) {
        boolean restarted = link.everWelcomed && welcome.epoch() != link.epoch;
        boolean reconnected = link.everWelcomed && !restarted && link.state == WorkerLink.State.READY;
        if (restarted) {
            LOG.info("{} restarted; re-running its {} task(s)", link, link.inFlight.size());
            workerLost(link, "it restarted");
        } else if (reconnected && !link.inFlight.isEmpty()) {
            // results sent while we were disconnected went to the old connection and are lost: re-send
            workerLost(link, "its connection dropped");
        }
        if (!link.everWelcomed || restarted) {
            LOG.info("connected to worker {} (capacity {})", link.endpoint, welcome.capacity());
        }
        link.everWelcomed = true;
        config.security().welcomed(link.endpoint);
        link.workerId = welcome.workerId();
        link.epoch = welcome.epoch();
        link.capacity = welcome.capacity();
        link.maxMessageBytes = welcome.maxMessageBytes();
        link.heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(welcome.heartbeatMillis());
        link.draining = welcome.capacity() == 0;
        link.state = WorkerLink.State.READY;
    }

    private void onResult(WorkerLink link, Message.Result result) {
        TaskHandle task = dispatcher.complete(link, result.taskId(), result.attempt());
        if (link.removed && link.inFlight.isEmpty()) {
            dropLink(link);
        }
        if (task == null) {
            return; // a late result of an attempt we gave up on: the future is, or will be, completed by another
        }
        if (result.status() == Message.Result.REJECTED) {
            dispatcher.requeue(task); // the worker is draining, or gave back a task it had not started: not a retry
            return;
        }
        completer.complete(task, result);
    }

    /** Agent only: a task the dispatcher gave a worker this turn, for {@link #sendQueuedTasks}. */
    private void queueTask(WorkerLink link, TaskHandle task) {
        queuedTasks.computeIfAbsent(link, l -> new ArrayList<>()).add(task);
    }

    /**
     * Agent only: sends the tasks queued this turn, those for one worker as one ZeroMQ message of
     * several frames (see {@code Protocol}; bounded like the worker's results), which costs the JeroMQ
     * I/O threads of both ends one wake-up instead of one per task. A message the socket refuses (no
     * connection) puts its tasks back at the front of the queue, in order, for the next turn.
     */
    private void sendQueuedTasks() {
        if (queuedTasks.isEmpty()) {
            return;
        }
        boolean tookBack = false;
        for (Map.Entry<WorkerLink, List<TaskHandle>> entry : queuedTasks.entrySet()) {
            WorkerLink link = entry.getKey();
            List<TaskHandle> tasks = entry.getValue();
            int from = 0;
            while (from < tasks.size()) {
                frames.clear();
                int bytes = 0;
                int to = from;
                while (to < tasks.size() && frames.size() < Protocol.MAX_FRAMES_PER_MESSAGE) {
                    byte[] frame = submitFrame(tasks.get(to));
                    if (!frames.isEmpty() && bytes + frame.length > Protocol.MAX_BATCH_BYTES) {
                        break;
                    }
                    frames.add(frame);
                    bytes += frame.length;
                    to++;
                }
                if (!send(link, frames)) {
                    for (int i = tasks.size() - 1; i >= from; i--) {
                        dispatcher.takeBack(link, tasks.get(i)); // to the front, so in reverse
                    }
                    link.state = WorkerLink.State.CONNECTING; // until it says WELCOME again
                    tookBack = true;
                    break;
                }
                from = to;
            }
        }
        queuedTasks.clear();
        if (tookBack) {
            mailbox.wakeUp(); // another worker may take them: turn again at once
        }
    }

    private static byte[] submitFrame(TaskHandle task) {
        long timeout = 0;
        if (task.deadlineNanos != Long.MAX_VALUE) {
            // rounded up, so the worker's timer never fires before the client's deadline
            timeout = Math.max(1, TimeUnit.NANOSECONDS.toMillis(task.deadlineNanos - System.nanoTime() + 999_999));
        }
        return Protocol.encode(new Message.Submit(task.id, task.attempt, timeout, task.payload));
    }

    /** A submitting thread in {@link #sendNow}: one task, one message. */
    private void sendTask(WorkerLink link, TaskHandle task) {
        byte[] frame = submitFrame(task);
        if (!send(link, frame)) {
            if (sendInterrupted) {
                // the task goes back to the queue and the next try works (the flag is clear now);
                // sendNow interrupts the thread again when it is done
                sendInterrupted = false;
                dispatcher.takeBack(link, task);
                return;
            }
            // no connection to take it right now: the worker is unreachable until it says WELCOME again
            dispatcher.takeBack(link, task);
            link.state = WorkerLink.State.CONNECTING;
        }
    }

    /**
     * Agent only: several frames as one message. False when the socket refused the first (then none
     * went); a later part is refused only when the connection is going away, and what it carried is
     * re-run when the worker is found lost, as for any message that connection lost.
     */
    private boolean send(WorkerLink link, List<byte[]> frames) {
        if (frames.size() == 1) {
            return send(link, frames.get(0));
        }
        if (link.socket == null) {
            return false;
        }
        RuntimeException fault = sendFault;
        if (fault != null) {
            throw fault;
        }
        if (!link.socket.send(frames.get(0), ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
            return false;
        }
        for (int i = 1; i < frames.size(); i++) {
            link.socket.send(frames.get(i), i < frames.size() - 1 ? ZMQ.SNDMORE | ZMQ.DONTWAIT : ZMQ.DONTWAIT);
        }
        link.lastSentNanos = System.nanoTime();
        return true;
    }

    private boolean send(WorkerLink link, byte[] frame) {
        if (link.socket == null) {
            return false;
        }
        RuntimeException fault = sendFault;
        if (fault != null) {
            throw fault;
        }
        boolean sent;
        try {
            sent = link.socket.send(frame, ZMQ.DONTWAIT);
        } catch (ZMQException e) {
            if (e.getErrorCode() != ZError.EINTR) {
                throw e;
            }
            // only a submitting thread in sendNow can be interrupted here; JeroMQ cleared its flag
            interruptSwallowed = true;
            sendInterrupted = true;
            return false;
        }
        if (sent) {
            link.lastSentNanos = System.nanoTime();
        }
        return sent;
    }

    private void tick(long now) {
        for (WorkerLink link : new ArrayList<>(dispatcher.links())) {
            if (link.socket == null) { // its connect failed
                if (!link.removed && !link.resolving && now - link.nextConnectNanos >= 0) {
                    reconnectLater(link);
                }
                continue;
            }
            warnIfNoAnswer(link, now);
            if (link.state == WorkerLink.State.READY
                    && now - link.lastHeardNanos > Math.max(heartbeatNanos, link.heartbeatNanos) * config.liveness()) {
                long silentMillis = TimeUnit.NANOSECONDS.toMillis(now - link.lastHeardNanos);
                LOG.warn("{} lost: silent for {} ms; re-running its {} task(s) elsewhere", link, silentMillis,
                        link.inFlight.size());
                workerLost(link, "it was silent for " + silentMillis + " ms");
                mailbox.unregister(link.socket);
                context.destroySocket(link.socket);
                openSocket(link); // drops whatever was still queued for the lost connection
                if (link.removed) {
                    dropLink(link);
                }
            } else if (link.state != WorkerLink.State.READY && config.security().shouldReopen(link.endpoint)) {
                // JeroMQ gives up on a connection whose handshake was refused; the key may be listed by now
                mailbox.unregister(link.socket);
                context.destroySocket(link.socket);
                openSocket(link);
            } else if (now - link.lastSentNanos >= heartbeatNanos) {
                send(link, Protocol.encode(new Message.Ping()));
            }
        }
        if (dispatcher.pendingCount() > 0 && !dispatcher.hasReadyWorker()) {
            failTasksWaitingTooLong(now);
        }
        warnIfNoWorkers(now);
    }

    /**
     * Once per spell: tasks have waited {@link #NO_ANSWER_WARNING_NANOS} while this client has no
     * worker at all (connected with an empty list, say, or after removing the last one).
     */
    private void warnIfNoWorkers(long now) {
        if (!dispatcher.links().isEmpty() || dispatcher.pendingCount() == 0) {
            noWorkersSinceNanos = 0;
            noWorkersWarned = false; // the spell is over: the next one is reported again
            return;
        }
        if (noWorkersSinceNanos == 0) {
            noWorkersSinceNanos = now;
        } else if (now - noWorkersSinceNanos >= NO_ANSWER_WARNING_NANOS && !noWorkersWarned) {
            noWorkersWarned = true;
            LOG.warn("{} task(s) wait, and this client has no workers: give their endpoints to Brokest.connect(...) "
                    + "or add one with addWorker(...); tasks fail after noWorkerTimeout", dispatcher.pendingCount());
        }
    }

    /**
     * Once per connection: a worker that has not answered for {@link #NO_ANSWER_WARNING_NANOS}. ZeroMQ
     * connects in the background and retries silently, so without this a wrong port or a daemon that
     * is not running would show only as tasks that wait.
     */
    private void warnIfNoAnswer(WorkerLink link, long now) {
        if (link.state != WorkerLink.State.CONNECTING || link.noAnswerWarned
                || now - link.connectedSinceNanos < NO_ANSWER_WARNING_NANOS
                || config.security().refusal(link.endpoint) != null) { // a refused handshake is reported as such
            return;
        }
        link.noAnswerWarned = true;
        LOG.warn("{} has not answered for {} s ({} task(s) wait for a worker): is a worker daemon running there "
                + "(java -jar worker-daemon.jar --bind ...), and can this host reach that port? Still trying",
                link, TimeUnit.NANOSECONDS.toSeconds(now - link.connectedSinceNanos), dispatcher.pendingCount());
    }

    private void failTasksWaitingTooLong(long now) {
        String refused = refusedByAll();
        List<TaskHandle> expired = new ArrayList<>();
        for (var it = dispatcher.pendingIterator(); it.hasNext(); ) {
            TaskHandle task = it.next();
            if (task.future.isDone()) {
                it.remove();
            } else if (refused != null) {
                it.remove();
                completer.fail(task, new AuthenticationException(task.description + (task.attempt == 0
                        ? " was not sent to any worker: " : " could not be sent again after its worker was lost: ")
                        + refused));
            } else if (now - task.queuedSinceNanos > noWorkerTimeoutNanos) {
                it.remove();
                expired.add(task);
            }
        }
        for (TaskHandle task : expired) {
            completer.fail(task, new WorkerLostException("no worker was reachable for "
                    + TimeUnit.NANOSECONDS.toMillis(noWorkerTimeoutNanos) + " ms to run " + task.description
                    + " (workers: " + endpoints() + "); start a worker daemon, check the endpoints, or raise "
                    + "noWorkerTimeout"));
        }
    }

    /** Why every worker refuses this client (then waiting is pointless), or null if one may still take it. */
    private String refusedByAll() {
        List<String> reasons = new ArrayList<>();
        for (WorkerLink link : dispatcher.links()) {
            String why = link.removed ? null : config.security().refusal(link.endpoint);
            if (why == null && !link.removed) {
                return null;
            }
            if (why != null) {
                reasons.add(why);
            }
        }
        return reasons.isEmpty() ? null : String.join("; ", reasons);
    }

    private String endpoints() {
        List<String> list = new ArrayList<>();
        for (WorkerLink link : dispatcher.links()) {
            list.add(link.endpoint + (link.connectError != null ? " (cannot connect: " + link.connectError + ")"
                    : link.state != WorkerLink.State.READY ? " (no answer)" : ""));
        }
        return list.isEmpty() ? "none" : String.join(", ", list);
    }

    /** Takes back a worker's in-flight tasks and re-queues each within its retry budget. */
    private void workerLost(WorkerLink link, String why) {
        for (TaskHandle task : dispatcher.takeInFlight(link)) {
            if (task.future.isDone()) {
                continue;
            }
            if (task.workerLossRetries < task.options.maxRetries()) {
                task.workerLossRetries++;
                task.queuedSinceNanos = System.nanoTime();
                dispatcher.requeue(task);
            } else {
                completer.fail(task, new WorkerLostException(link + " was lost while running " + task.description
                        + " (" + why + "); " + (task.options.maxRetries() == 0
                        ? "it was not re-run because its maxRetries is 0"
                        : "it was already re-run " + task.workerLossRetries + " time(s), its maxRetries")
                        + ". The task may or may not have run"));
            }
        }
        link.state = WorkerLink.State.LOST;
    }

    private void shutdown() {
        running = false;
        BrokestException closed = new BrokestException("the Brokest client was closed before the task finished");
        failEverything(closed);
        for (WorkerLink link : dispatcher.links()) {
            if (link.state == WorkerLink.State.READY) {
                send(link, Protocol.encode(new Message.Bye("client closed")));
            }
        }
    }

    /**
     * A task larger than every worker taking tasks accepts: sent, it would make the worker's socket
     * drop the connection, and it would come back as a lost worker, again and again.
     */
    private void failTooLarge(TaskHandle task) {
        List<String> limits = new ArrayList<>();
        for (WorkerLink link : dispatcher.links()) {
            if (link.takesTasks()) {
                limits.add(link.endpoint + ": " + link.maxMessageBytes);
            }
        }
        completer.fail(task, new MessageTooLargeException(task.description + " is " + task.payload.length
                + " bytes serialized, more than the workers taking tasks accept (" + String.join(", ", limits)
                + " bytes); raise their --max-message-size (maxMessageBytes(...) for an embedded worker), or send "
                + "less data per task"));
    }

    /** A command that reached the mailbox after the agent stopped: its task fails, or it would wait forever. */
    private static void failIfSubmit(Command command, BrokestException reason) {
        if (command instanceof Command.Submit submit) {
            submit.task().future.completeExceptionally(reason);
        }
    }

    private void failEverything(BrokestException reason) {
        for (TaskHandle task : dispatcher.drainPending()) {
            completer.fail(task, reason);
        }
        for (WorkerLink link : dispatcher.links()) {
            for (TaskHandle task : dispatcher.takeInFlight(link)) {
                if (link.state == WorkerLink.State.READY) {
                    try {
                        send(link, Protocol.encode(new Message.Cancel(task.id)));
                    } catch (RuntimeException e) {
                        // best effort: a broken socket may be why everything fails; the tasks fail regardless
                    }
                }
                completer.fail(task, reason);
            }
        }
    }
}
