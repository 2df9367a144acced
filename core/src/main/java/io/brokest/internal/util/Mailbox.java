package io.brokest.internal.util;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * How other threads hand work to a socket-owning thread without touching its sockets. Producers
 * {@link #post} items from any thread; the owner polls {@link #socket()} together with its other
 * ZeroMQ sockets and {@link #drain}s when it is readable.
 *
 * <p>The wake-up is an inproc PAIR socket rather than a nio pipe: JeroMQ's poller keeps reporting a
 * nio channel as ready once it has been ready (it reuses the channel's stale ready set), which made
 * the socket threads spin. Wake-ups are coalesced, one frame per burst, and the sending end is used
 * under a lock since producers are many.
 */
public final class Mailbox<T> implements AutoCloseable {
    private static final AtomicLong IDS = new AtomicLong();
    private static final byte[] WAKE = new byte[0];

    private final Queue<T> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean signalled = new AtomicBoolean();
    private final ZContext context;
    private final ZMQ.Socket receiver;
    private final ZMQ.Socket sender; // guarded by itself
    private volatile boolean closed;

    public Mailbox(ZContext context) {
        this.context = context;
        String address = "inproc://brokest-mailbox-" + IDS.incrementAndGet();
        receiver = context.createSocket(SocketType.PAIR);
        receiver.setLinger(0);
        receiver.bind(address);
        sender = context.createSocket(SocketType.PAIR);
        sender.setLinger(0);
        sender.connect(address);
        // One frame through, so both ends of the inproc pipe are attached before anyone posts: a send
        // on a pipe still being attached can fail, and a lost wake-up would leave items waiting.
        receiver.setReceiveTimeOut(5_000);
        if (!sender.send(WAKE, 0) || receiver.recv(0) == null) {
            throw new IllegalStateException("cannot set up the inproc wake-up pipe " + address);
        }
        receiver.setReceiveTimeOut(-1);
    }

    /** Adds an item and wakes the owner. Safe from any thread. */
    public void post(T item) {
        queue.add(item);
        if (signalled.compareAndSet(false, true)) {
            boolean sent;
            synchronized (sender) {
                try {
                    sent = !closed && sender.send(WAKE, ZMQ.DONTWAIT);
                } catch (org.zeromq.ZMQException interruptedOrClosed) {
                    sent = false; // e.g. a cancelled task's thread posting its result while interrupted
                }
            }
            if (!sent) {
                signalled.set(false); // the owner still finds the item on its next drain
            }
        }
    }

    /** The socket to register in the owner's poller (readable when items wait). Owner only. */
    public ZMQ.Socket socket() {
        return receiver;
    }

    /** Owner only: clears the wake-up and hands every waiting item to the consumer. */
    public void drain(Consumer<T> consumer) {
        while (receiver.recv(ZMQ.DONTWAIT) != null) {
            // consume the wake-up frames
        }
        signalled.set(false);
        T item;
        while ((item = queue.poll()) != null) {
            consumer.accept(item);
        }
    }

    /** Owner only, after its loop ended. */
    @Override
    public void close() {
        synchronized (sender) {
            closed = true;
            context.destroySocket(sender);
        }
        context.destroySocket(receiver);
    }
}
