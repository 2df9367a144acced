package io.brokest.internal.serial;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Objects not in use, for any thread to borrow and give back: what {@link KryoCodec} keeps its Kryo
 * instances in. Lock-free, unlike Kryo's own thread-safe {@code Pool} (a {@code LinkedBlockingQueue}):
 * there, a thread preempted while it holds the queue's lock parks every other borrower until it runs
 * again, and each of those parks costs a wake-up. On a worker, ten task threads whose tasks end
 * together all borrow at once. Newest first, so a borrower most likely gets an instance whose memory
 * is still in cache. Holds at most {@code capacity} idle objects; beyond that, returned ones are dropped.
 */
final class IdlePool<T> {
    private final ConcurrentLinkedDeque<T> idle = new ConcurrentLinkedDeque<>();
    /** How many are idle, counted before a push and after a pop, so it may run ahead of the deque, never behind. */
    private final AtomicInteger idleCount = new AtomicInteger();
    private final Supplier<T> factory;
    private final int capacity;

    IdlePool(int capacity, Supplier<T> factory) {
        this.capacity = capacity;
        this.factory = factory;
    }

    /** An idle object, or a new one when none is idle. The caller has it alone until {@link #free}. */
    T obtain() {
        T item = idle.pollFirst();
        if (item == null) {
            return factory.get();
        }
        idleCount.decrementAndGet();
        return item;
    }

    /** Gives back an object from {@link #obtain}, which the caller must no longer use. */
    void free(T item) {
        if (idleCount.incrementAndGet() > capacity) {
            idleCount.decrementAndGet();
            return; // enough are idle: let this one go
        }
        idle.offerFirst(item);
    }

    /** How many are idle now (a snapshot, for tests: it walks the deque). */
    int idleCount() {
        return idle.size();
    }
}
