package io.brokest.internal.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.zeromq.ZMQ;

/**
 * How other threads hand work to a socket-owning thread without touching its sockets, and how that
 * thread waits for either work or input. Producers {@link #post} items from any thread; the owner
 * {@link #register}s its ZeroMQ sockets, {@link #await}s, and then {@link #drain}s and reads its sockets.
 *
 * <p>Why not {@code ZMQ.Poller} and an inproc wake-up socket (as before): two JeroMQ 0.6.0 behaviours
 * made the socket threads burn CPU and stall round trips for milliseconds on a busy 2-core host.
 * <ul>
 *   <li>JeroMQ's signaler writes its wake-up byte before it counts it, so a woken reader sees its
 *       socket's descriptor readable while {@code ZMQ_EVENTS} still says "nothing" until the writer
 *       runs again. {@code zmq.ZMQ.poll} then loops on {@code epoll_wait} (about 15 times per message
 *       measured with {@code perf trace}); when the woken reader has preempted the writer on its core,
 *       it spins until the scheduler's next tick. Here such a spurious wake-up yields the CPU instead.
 *       (Brokest's fixed copy of {@code zmq.Signaler} counts first, so this no longer happens when that
 *       copy is loaded; the yield stays for a classpath that loads JeroMQ's own.)</li>
 *   <li>{@code zmq.ZMQ.poll} allocates a map and re-registers every key on each call, and the inproc
 *       wake-up cost a command, a signaler write and a pipe read per post.</li>
 * </ul>
 * Posting costs a {@link Selector#wakeup()} only while the owner waits (or is about to): a flag the
 * owner raises before it selects and lowers when it wakes. Posts while it works cost none, however
 * many. A post may also say how long its item can wait ({@link #post(Object, long)}): then it wakes
 * the owner only if the owner will not look by itself within that time. Readiness of ZeroMQ sockets
 * comes from {@code ZMQ_EVENTS}, which is cheap and exact.
 */
public final class Mailbox<T> implements AutoCloseable {
    private final Queue<T> queue = new ConcurrentLinkedQueue<>();
    /**
     * Raised by the owner before it waits, lowered when it wakes; the first post that sees it raised
     * wakes it. Raised before the owner looks at the queue a last time, and the queue written before
     * a poster reads it, so either the owner sees the item or the poster sees the flag.
     */
    private final AtomicBoolean ownerWaiting = new AtomicBoolean();
    /**
     * While {@link #ownerWaiting}: when its wait ends by itself at the latest ({@link System#nanoTime()}).
     * Written before the flag is raised, so a poster that sees the flag raised sees this too.
     */
    private volatile long ownerLooksAgainAt;
    private final Selector selector;
    private final List<ZMQ.Socket> sockets = new ArrayList<>(); // owner only
    private volatile boolean closed;
    /**
     * Null while the owner serves; once it has stopped ({@link #stop}), where items go instead. Set
     * before the owner's last drain, and read by posters after their add, so every item reaches the
     * owner or this, once (the queue hands each item to one poll).
     */
    private volatile Consumer<T> leftovers;

    public Mailbox() {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for the socket thread", e);
        }
    }

    /**
     * Adds an item and wakes the owner. Safe from any thread, including interrupted ones. After the
     * owner has {@link #stop stopped}, the item goes to its leftovers consumer, on this thread.
     */
    public void post(T item) {
        queue.add(item);
        if (handedOverAsLeftover()) {
            return;
        }
        if (ownerWaiting.get() && ownerWaiting.compareAndSet(true, false)) {
            wakeUp();
        }
    }

    /**
     * Adds an item that may wait up to {@code maxDelayNanos} for the owner: wakes it only if it waits
     * and will not look again by itself within that time. For items worth delaying a little to spare
     * the posting thread the wake-up, whose cost on a virtual machine (a write to a descriptor another
     * core sleeps on) falls between two of its tasks.
     */
    public void post(T item, long maxDelayNanos) {
        queue.add(item);
        if (handedOverAsLeftover()) {
            return;
        }
        if (ownerWaiting.get() && ownerLooksAgainAt - System.nanoTime() > maxDelayNanos
                && ownerWaiting.compareAndSet(true, false)) {
            wakeUp();
        }
    }

    /** Wakes the owner without an item, so it looks at its sockets. Safe from any thread. */
    public void wakeUp() {
        if (!closed) {
            try {
                selector.wakeup();
            } catch (ClosedSelectorException closedMeanwhile) {
                // the owner has stopped; it drains what is left itself
            }
        }
    }

    /** Whether the owner waits in {@link #await} now (a snapshot, for tests). */
    public boolean isOwnerWaiting() {
        return ownerWaiting.get();
    }

    /** Whether no item waits (a snapshot: others may post at any time). */
    public boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Owner only: watch this socket's input in {@link #await}. */
    public void register(ZMQ.Socket socket) {
        try {
            socket.getFD().register(selector, SelectionKey.OP_READ, socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch a ZeroMQ socket", e);
        }
        sockets.add(socket);
    }

    /** Owner only: stop watching a socket, before it is closed. */
    public void unregister(ZMQ.Socket socket) {
        sockets.remove(socket);
        SelectionKey key = socket.getFD().keyFor(selector);
        if (key != null) {
            key.cancel();
        }
    }

    /** Owner only: whether items wait or a registered socket has input. */
    public boolean ready() {
        if (!queue.isEmpty()) {
            return true;
        }
        for (int i = 0; i < sockets.size(); i++) {
            if ((sockets.get(i).getEvents() & ZMQ.Poller.POLLIN) != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Owner only: waits until items wait, a registered socket has input, or about {@code timeoutNanos}
     * passed. May return early; the owner just turns once more.
     */
    public void await(long timeoutNanos) {
        await(timeoutNanos, null);
    }

    /**
     * As {@link #await(long)}, for an owner that lends its sockets to other threads while it waits:
     * {@code socketLock}, held by the caller, is released only while the selector waits (the selector
     * is thread-safe, the sockets are not) and held again before any socket is looked at.
     */
    public void await(long timeoutNanos, Lock socketLock) {
        long deadline = System.nanoTime() + timeoutNanos;
        int spurious = 0;
        while (!ready()) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0 || closed) {
                return;
            }
            if (spurious > 0) {
                // A descriptor is readable but no socket has input: JeroMQ's writer has not counted its
                // signal yet (see class comment). Let it run rather than spin on epoll_wait.
                if (socketLock != null) {
                    socketLock.unlock();
                }
                try {
                    if (spurious == 1) {
                        Thread.yield();
                    } else {
                        LockSupport.parkNanos(Math.min(remaining, Math.min(1_000_000L, 5_000L << Math.min(spurious, 8))));
                    }
                } finally {
                    if (socketLock != null) {
                        socketLock.lock();
                    }
                }
                if (ready()) {
                    return;
                }
            }
            int selected;
            long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining + 999_999));
            ownerLooksAgainAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            ownerWaiting.set(true);
            if (!queue.isEmpty()) {
                ownerWaiting.set(false);
                return; // posted since ready() looked, without waking us
            }
            if (socketLock != null) {
                socketLock.unlock();
            }
            try {
                selected = selector.select(millis);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                ownerWaiting.set(false);
                if (socketLock != null) {
                    socketLock.lock();
                }
            }
            selector.selectedKeys().clear();
            if (selected == 0) {
                return; // woken by a post, timed out, or interrupted: the owner turns and looks
            }
            spurious++;
        }
    }

    /**
     * Owner only (and, after {@link #stop}, posters, which is safe: the queue hands each item to one
     * poll): hands every waiting item to the consumer.
     */
    public void drain(Consumer<T> consumer) {
        T item;
        while ((item = queue.poll()) != null) {
            consumer.accept(item);
        }
    }

    /**
     * Owner only, when its loop has ended for good: every item still waiting, and every item posted
     * from now on, goes to {@code leftovers} (on the posting thread), so none waits forever for an
     * owner that will never look. A submitted task, say, can then fail instead of hanging.
     */
    public void stop(Consumer<T> leftovers) {
        this.leftovers = leftovers;
        drain(leftovers);
    }

    /** After {@link #stop}: hands what waits to the leftovers consumer and returns true. */
    private boolean handedOverAsLeftover() {
        Consumer<T> consumer = leftovers;
        if (consumer == null) {
            return false;
        }
        drain(consumer);
        return true;
    }

    /** Owner only, after its loop ended. */
    @Override
    public void close() {
        closed = true;
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
