package io.brokest.internal.client;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

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
 *
 * <p>Before it parks, such a thread may spin for a short while ({@link SpinWait}): for a short task the
 * result then arrives without the wake-up that ends a park, which on a virtual machine costs tens of
 * microseconds.
 */
public final class RemoteFuture<T> extends CompletableFuture<T> {
    private final long taskId;
    /** The client's, shared by all its futures and their derived stages, so a submit allocates none of it. */
    private final Hooks hooks;
    /** 0 until {@link #afterCompletion} has run its work, then 1: once, whoever calls it. */
    private volatile int finished;
    /**
     * Null, the thread waiting in get/join, or the {@link Handed} work the socket thread gave that
     * thread. Null (no direct waiting) for derived stages, which is how they are told apart.
     */
    private final AtomicReference<Object> waiter;

    /**
     * What a client's futures call: {@code onCancel} gets a task's id when a caller cancels its future,
     * {@code onDone} once the future completes, however it completes (the client's bookkeeping), on the
     * completing thread; async stages without an executor run on {@code defaultExecutor}; {@code spin}
     * decides whether a thread blocked in get/join spins before it parks, and such a thread runs
     * {@code readWhileSpinning} (null: nothing) as it spins, to read the client's input itself.
     */
    record Hooks(LongConsumer onCancel, LongConsumer onDone, Executor defaultExecutor, SpinWait spin,
                 Runnable readWhileSpinning) {
    }

    private static final VarHandle FINISHED;

    static {
        try {
            FINISHED = MethodHandles.lookup().findVarHandle(RemoteFuture.class, "finished", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Work handed to the waiting thread (a wrapper, since a Thread is a Runnable too). */
    private record Handed(Runnable work) {
    }

    /** The future of a submitted task. */
    RemoteFuture(long taskId, Hooks hooks) {
        this(taskId, hooks, new AtomicReference<>());
    }

    /** The future of a submitted task, for tests: these hooks, no spinning. */
    RemoteFuture(long taskId, LongConsumer onCancel, Executor defaultExecutor, LongConsumer onDone) {
        this(taskId, new Hooks(onCancel, onDone, defaultExecutor, SpinWait.OFF, null));
    }

    private RemoteFuture(long taskId, Hooks hooks, AtomicReference<Object> waiter) {
        this.taskId = taskId;
        this.hooks = hooks;
        this.waiter = waiter;
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
            long began = System.nanoTime();
            boolean spunInVain = spinWhileWaiting(me, deadline);
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
            hooks.spin().waited(System.nanoTime() - began, spunInVain);
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

    /**
     * Spins while this thread waits here and the future is not done, if the client's {@link SpinWait}
     * allows: for short tasks that is much quicker than a park and the wake-up that ends it. Returns
     * true if it spun for its whole budget and still waits.
     */
    private boolean spinWhileWaiting(Thread me, long deadline) {
        SpinWait spin = hooks.spin();
        long budget = spin.start(deadline);
        if (budget <= 0) {
            return false;
        }
        Runnable read = hooks.readWhileSpinning();
        try {
            long start = System.nanoTime();
            while (waiter.get() == me && !isDone() && !me.isInterrupted()
                    && System.nanoTime() - start < budget) {
                if (read != null) {
                    read.run();
                }
                Thread.onSpinWait();
            }
            return waiter.get() == me && !isDone() && !me.isInterrupted();
        } finally {
            spin.spun();
        }
    }

    /*
     * Every way a task's future completes passes through afterCompletion, which wakes the direct waiter
     * and runs the client's bookkeeping once. These overrides replace a whenComplete stage each future
     * used to register on itself (104 of the 356 bytes a submit allocated). orTimeout and
     * completeOnTimeout complete through complete and completeExceptionally; completeAsync does not
     * (the JDK completes inside), so it registers the stage after all.
     */

    @Override
    public boolean complete(T value) {
        boolean completed = super.complete(value);
        afterCompletion();
        return completed;
    }

    @Override
    public boolean completeExceptionally(Throwable failure) {
        boolean completed = super.completeExceptionally(failure);
        afterCompletion();
        return completed;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean done = isDone();
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        afterCompletion();
        if (cancelled && !done && waiter != null && hooks.onCancel() != null) {
            hooks.onCancel().accept(taskId);
        }
        return cancelled;
    }

    @Override
    public void obtrudeValue(T value) {
        super.obtrudeValue(value);
        afterCompletion();
    }

    @Override
    public void obtrudeException(Throwable failure) {
        super.obtrudeException(failure);
        afterCompletion();
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
        if (waiter != null && supplier != null && executor != null) {
            super.whenComplete((value, failure) -> afterCompletion());
        }
        return super.completeAsync(supplier, executor);
    }

    /** A task's future is done, by whatever path: wake the direct waiter, tell the client, once. */
    private void afterCompletion() {
        if (waiter == null || !isDone() || !FINISHED.compareAndSet(this, 0, 1)) {
            return;
        }
        if (waiter.get() instanceof Thread thread) {
            LockSupport.unpark(thread);
        }
        hooks.onDone().accept(taskId);
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new RemoteFuture<>(taskId, hooks, null);
    }

    @Override
    public Executor defaultExecutor() {
        return hooks.defaultExecutor();
    }

    public long taskId() {
        return taskId;
    }
}
