package io.brokest.internal.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * The future handed to users. Cancelling it cancels the task on its worker too. Async stages without
 * an explicit executor run on Brokest's callback executor, never on the JDK's common pool (which on a
 * 2-core machine has one thread and would start a thread per stage).
 *
 * <p>A thread blocked in {@link #get()} or {@link #join()} finishes the future itself: the socket
 * thread hands it the arrived result ({@link #handToWaiter}) instead of waking a callback thread that
 * would then wake the caller, which saves a thread hand-off per round trip. The caller's thread then
 * decodes the result and runs the stages that depend on it, as the JDK runs them on whichever thread
 * completes a future. Only one waiter is served this way; others wait as usual. Only the futures
 * {@code submit} returns do this: the stages derived from them ({@code thenApply}...) are completed
 * inside the JDK's machinery and wait the JDK's way.
 */
public final class RemoteFuture<T> extends CompletableFuture<T> {
    private final long taskId;
    private final LongConsumer onCancel;
    private final Executor defaultExecutor;
    /**
     * Null, the thread waiting in get/join, or the {@link Handed} work the socket thread gave that
     * thread. Null (no direct waiting) for derived stages.
     */
    private final AtomicReference<Object> waiter;

    /** Work handed to the waiting thread (a wrapper, since a Thread is a Runnable too). */
    private record Handed(Runnable work) {
    }

    /**
     * The future of a submitted task. {@code onDone} runs once it completes, however it completes (the
     * client's bookkeeping), on the completing thread.
     */
    RemoteFuture(long taskId, LongConsumer onCancel, Executor defaultExecutor, Runnable onDone) {
        this.taskId = taskId;
        this.onCancel = onCancel;
        this.defaultExecutor = defaultExecutor;
        this.waiter = new AtomicReference<>();
        // however this future completes (also inside the JDK, as completeAsync does), the direct waiter wakes
        super.whenComplete((value, failure) -> {
            wakeWaiter();
            onDone.run();
        });
    }

    /** A stage derived from a task's future: completed by the JDK, waited on the JDK's way. */
    private RemoteFuture(long taskId, Executor defaultExecutor) {
        this.taskId = taskId;
        this.onCancel = null;
        this.defaultExecutor = defaultExecutor;
        this.waiter = null;
    }

    /**
     * The socket thread: gives the work that completes this future to a thread blocked in get/join.
     * Returns false when none waits; the caller then runs it elsewhere.
     */
    boolean handToWaiter(Runnable completion) {
        if (waiter == null) {
            return false;
        }
        Object current = waiter.get();
        if (current instanceof Thread thread && waiter.compareAndSet(thread, new Handed(completion))) {
            LockSupport.unpark(thread);
            return true;
        }
        return false;
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        await(0, true);
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        long nanos = unit.toNanos(timeout);
        long deadline = System.nanoTime() + Math.min(nanos, Long.MAX_VALUE / 4);
        await(deadline | 1, true); // odd, so never 0 ("no deadline")
        // done: the value; another thread waited directly: the plain wait, for what is left of the time
        return super.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    @Override
    public T join() {
        try {
            await(0, false);
        } catch (InterruptedException impossible) {
            throw new IllegalStateException(impossible);
        }
        return super.join();
    }

    /**
     * Waits until done, running what the socket thread hands over. Returns false when the deadline
     * ({@code System.nanoTime()} value, 0 for none) passed first. Falls back to the plain wait when
     * another thread already waits this way.
     */
    private boolean await(long deadline, boolean interruptible) throws InterruptedException {
        if (waiter == null) {
            return true;
        }
        Thread me = Thread.currentThread();
        while (!isDone()) {
            if (!waiter.compareAndSet(null, me)) {
                Object handed = waiter.get();
                if (handed instanceof Handed h && waiter.compareAndSet(h, null)) {
                    h.work().run(); // completes the future, or schedules a retry and we wait again
                    continue;
                }
                return true; // another thread waits here: wait as the JDK does
            }
            boolean interrupted = false;
            while (waiter.get() == me && !isDone()) {
                if (deadline != 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    LockSupport.parkNanos(this, left);
                } else {
                    LockSupport.park(this);
                }
                if (Thread.interrupted()) {
                    interrupted = true;
                    if (interruptible) {
                        break;
                    }
                }
            }
            boolean stillMine = waiter.compareAndSet(me, null);
            if (!stillMine) {
                Object handed = waiter.get();
                if (handed instanceof Handed h && waiter.compareAndSet(h, null)) {
                    h.work().run(); // handed over just as we stopped waiting: finish it here, never drop it
                }
            }
            if (interrupted) {
                if (interruptible && !isDone()) {
                    throw new InterruptedException();
                }
                me.interrupt();
            }
            if (deadline != 0 && deadline - System.nanoTime() <= 0 && !isDone()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled && onCancel != null) {
            onCancel.accept(taskId);
        }
        return cancelled;
    }

    /** Completed, by whatever path: the direct waiter must look. */
    private void wakeWaiter() {
        if (waiter.get() instanceof Thread thread) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new RemoteFuture<>(taskId, defaultExecutor);
    }

    @Override
    public Executor defaultExecutor() {
        return defaultExecutor;
    }

    public long taskId() {
        return taskId;
    }
}
