package io.brokest.internal.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * How other threads hand work to a socket-owning thread without touching its sockets. Producers
 * {@link #post} items from any thread; the owner polls {@link #channel()} together with its ZeroMQ
 * sockets and {@link #drain}s when it is readable. A nio pipe carries the wake-up, so the owner sleeps
 * in one poll call and wakes at once; wake-ups are coalesced, one byte per burst.
 */
public final class Mailbox<T> implements AutoCloseable {
    private final Queue<T> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean signalled = new AtomicBoolean();
    private final Pipe pipe;
    private final ByteBuffer one = ByteBuffer.allocate(1);
    private final ByteBuffer sink = ByteBuffer.allocate(64);

    public Mailbox() {
        try {
            pipe = Pipe.open();
            pipe.source().configureBlocking(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the wake-up pipe", e);
        }
    }

    /** Adds an item and wakes the owner. Safe from any thread. */
    public void post(T item) {
        queue.add(item);
        if (!signalled.get()) {
            // The byte and the flag change together under the lock, so "flag set" means "a byte is in
            // the pipe": drain can then trust the flag alone (see drain).
            synchronized (one) {
                if (!signalled.get()) {
                    try {
                        one.clear();
                        pipe.sink().write(one);
                    } catch (IOException e) {
                        // the mailbox is closed: the owner is gone and the item will never be read
                    }
                    signalled.set(true);
                }
            }
        }
    }

    /** The channel to register in the owner's poller (readable when items wait). */
    public SelectableChannel channel() {
        return pipe.source();
    }

    /** Owner only: clears the wake-up and hands every waiting item to the consumer. */
    public void drain(Consumer<T> consumer) {
        if (!signalled.get()) {
            // Spurious: JeroMQ's poller reports a plain channel readable whenever anything else woke
            // it (the key's ready set is stale), which is several times per message; skip the syscall.
            return;
        }
        synchronized (one) {
            try {
                sink.clear();
                while (pipe.source().read(sink) > 0) {
                    sink.clear();
                }
            } catch (IOException e) {
                // closed: nothing more will come
            }
            signalled.set(false);
        }
        T item;
        while ((item = queue.poll()) != null) {
            consumer.accept(item);
        }
    }

    @Override
    public void close() {
        try {
            pipe.sink().close();
            pipe.source().close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
