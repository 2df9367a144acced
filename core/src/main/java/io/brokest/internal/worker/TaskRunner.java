package io.brokest.internal.worker;

import io.brokest.TaskSerializationException;
import io.brokest.internal.serial.KryoCodec;
import io.brokest.internal.serial.ThrowableCodec;
import io.brokest.internal.wire.Message;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks: reads the task with its session's codec (which may fetch classes from the client), calls
 * it with the session's loader as context class loader, and writes the result or the exception.
 *
 * <p>Tasks run on the task threads, with one exception that saves two thread hand-offs per round
 * trip: when the worker holds no other task and the client's tasks have taken at most {@link
 * #SHORT_TASK_NANOS} on average, the next one runs on the socket thread (which hands the socket to
 * its standby if the task runs long, see {@link SocketBaton}). Either way at most {@code threads}
 * tasks run at once.
 *
 * <p>A task that ignores the interrupt of a cancel or timeout (a loop that never checks, a call that
 * cannot be interrupted) would hold its thread, and the worker's capacity, for ever. After {@link
 * #IGNORED_INTERRUPT_MILLIS} it is abandoned: logged with where it runs, its slot handed back and a new
 * thread started in its place, so the tasks behind it run. A worker with more such threads than
 * {@code threads} stops as after a fatal error, so that its supervisor restarts it (the JVM cannot
 * stop a thread safely; Celery's hard time limit kills its worker process for the same reason).
 */
final class TaskRunner {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRunner.class);
    /**
     * A client whose tasks average this or less may have one run on the socket thread: short next to
     * a round trip, so the socket thread is back at once, and a task that breaks the pattern is taken
     * over from after a millisecond or two.
     */
    static final long SHORT_TASK_NANOS = 200_000;
    /** A task still running this long after it was interrupted is taken to ignore interrupts. */
    static final long IGNORED_INTERRUPT_MILLIS = 1_000;
    /** Stack frames logged, at most, for a task that ignores its interrupt. */
    private static final int FRAMES_LOGGED = 12;

    private final ThreadPoolExecutor threads;
    private final ScheduledExecutorService timers;
    /** One per task running, wherever it runs, so the socket thread's task counts as a task thread's. */
    private final Semaphore slots;
    private final int threadCount;
    /** Tasks launched whose end is not yet reported: zero means the worker is idle. */
    private final AtomicInteger launched = new AtomicInteger();
    /** Fault injection for tests: an extra delay before each task runs. */
    private volatile long delayNanos;
    /** Threads left to tasks that ignored their interrupt, each replaced by a new one (guarded by this). */
    private int abandoned;
    /** {@link #watch}, made once rather than for every task. */
    private final Consumer<RunningTask> watcher = this::watch;
    /** Stops the worker, for the reason given: so many tasks ignore their interrupts. */
    private final Consumer<String> stopWorker;

    TaskRunner(ThreadPoolExecutor threads, int threadCount, ScheduledExecutorService timers,
               Consumer<String> stopWorker) {
        this.threads = threads;
        this.threadCount = threadCount;
        this.slots = new Semaphore(threadCount);
        this.timers = timers;
        this.stopWorker = stopWorker;
    }

    /** Tasks on task threads (or the socket thread) now, started or about to. */
    int tasksRunning() {
        return threadCount - slots.availablePermits();
    }

    void setDelay(java.time.Duration delay) {
        this.delayNanos = delay.toNanos();
    }

    /**
     * Socket thread: starts a task, or parks it in its client's waiting room. Returns false when the
     * client is over its limit ({@link ClientQuota}): the caller refuses the task. A short task may be
     * offered to {@code socketThread} to run at the end of its turn; it returns false to decline.
     */
    boolean start(Session session, Message.Submit submit, Predicate<Runnable> socketThread) {
        RunningTask running = session.running.get(submit.taskId());
        if (running != null && running.adopt(submit.attempt())) {
            return true; // already running here: that run answers for this attempt
        }
        // a re-sent task still waiting here waits on as the newer attempt, so its answer is accepted
        session.quota.removeWaiting(submit.taskId());
        switch (session.quota.admit(submit)) {
            case RUN -> launch(session, submit, socketThread);
            case WAIT -> {
                // runs when one of the client's tasks ends
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** The client cancelled a task: interrupt it if it runs, drop it if it waits. */
    void cancel(Session session, long taskId) {
        RunningTask task = session.running.get(taskId);
        if (task != null) {
            task.cancel(true, "its client cancelled it");
        } else {
            Message.Submit waiting = session.quota.removeWaiting(taskId);
            if (waiting != null) {
                session.send(new Message.Result(taskId, waiting.attempt(), Message.Result.CANCELLED, new byte[0]));
            }
        }
    }

    private void launch(Session session, Message.Submit submit, Predicate<Runnable> socketThread) {
        BooleanSupplier onEnd = () -> {
            int othersLaunched = launched.decrementAndGet();
            Message.Submit next = session.quota.release();
            if (next != null) {
                launch(session, next, null); // on whichever thread this task ended: not the socket's turn
                return true;
            }
            return othersLaunched > 0;
        };
        boolean idle = launched.getAndIncrement() == 0;
        RunningTask task = new RunningTask(session, submit.taskId(), submit.attempt(), onEnd, watcher);
        // replaces a run that just finished (it removes only itself), so this attempt gets its answer
        session.running.put(submit.taskId(), task);
        Future<?> execution = null;
        if (idle && socketThread != null && isShort(session) && slots.tryAcquire()) {
            FutureTask<Void> here = new FutureTask<>(() -> run(task, submit.payload()), null);
            Runnable holdingTheSlot = () -> {
                try {
                    here.run(); // does nothing if cancelled before its turn came
                } finally {
                    releaseSlot(task);
                }
            };
            if (socketThread.test(holdingTheSlot)) {
                execution = here;
            } else {
                slots.release();
            }
        }
        if (execution == null) {
            execution = threads.submit(() -> runOnTaskThread(task, submit.payload()));
        }
        var timer = submit.timeoutMillis() > 0
                ? timers.schedule(() -> task.cancel(true, "its timeout passed"),
                        submit.timeoutMillis(), TimeUnit.MILLISECONDS)
                : null;
        task.started(execution, timer);
    }

    /** Whether this client's tasks have been short enough to run one on the socket thread. */
    private boolean isShort(Session session) {
        long average = session.credit.averageNanos();
        return average > 0 && average <= SHORT_TASK_NANOS && delayNanos == 0;
    }

    private void runOnTaskThread(RunningTask task, byte[] payload) {
        try {
            slots.acquire(); // waits only while the socket thread runs a task
        } catch (InterruptedException e) {
            return; // cancelled while waiting: already reported
        }
        try {
            run(task, payload);
        } finally {
            releaseSlot(task);
        }
    }

    /** A task's run is over: its slot is free, unless it was abandoned and so freed already. */
    private void releaseSlot(RunningTask task) {
        if (task.releaseSlot()) {
            slots.release();
        } else {
            endedAfterAbandoned(task);
        }
    }

    /** A cancel or timeout interrupted the task while its code ran: checks that it ends. */
    private void watch(RunningTask task) {
        try {
            timers.schedule(() -> abandonIfStillRunning(task), IGNORED_INTERRUPT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the worker is stopping, and its threads with it
        }
    }

    private void abandonIfStillRunning(RunningTask task) {
        Thread thread = task.thread();
        if (thread == null) {
            return;
        }
        int count;
        synchronized (this) {
            if (!task.releaseSlot()) {
                return; // it ended meanwhile
            }
            count = ++abandoned;
            resizeThreads();
        }
        slots.release();
        String what = "task " + task.taskId + " (" + task.description() + ") of client " + task.session.clientName
                + " ignored its interrupt: " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - task.interruptedNanos())
                + " ms after " + task.interruptedBy() + ", it still runs, at" + stackOf(thread);
        if (count > threadCount) {
            stopWorker.accept(count + " tasks ignored their interrupts and still hold their threads, more than"
                    + " this worker's " + threadCount + "; the last: " + what);
            return;
        }
        LOG.warn("{}\nIts thread is left to it and a new thread takes its place ({} such thread(s) now; past {}"
                + " the worker stops so that its supervisor restarts it). Make the task end when interrupted:"
                + " check Thread.interrupted() in long loops, and give blocking calls a timeout.",
                what, count, threadCount);
    }

    private void endedAfterAbandoned(RunningTask task) {
        int count;
        synchronized (this) {
            count = --abandoned;
            resizeThreads();
        }
        LOG.info("task {} of client {}, which had ignored its interrupt, ended {} ms after it; its thread is"
                + " back ({} such thread(s) left)", task.taskId, task.session.clientName,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - task.interruptedNanos()), count);
    }

    /** One more task thread for each abandoned one (up to twice the threads: past that the worker stops). */
    private void resizeThreads() {
        int size = threadCount + Math.min(abandoned, threadCount);
        if (size > threads.getMaximumPoolSize()) {
            threads.setMaximumPoolSize(size);
            threads.setCorePoolSize(size);
        } else {
            threads.setCorePoolSize(size);
            threads.setMaximumPoolSize(size);
        }
    }

    /** Where the thread is, down to the task's call (the frames below are Brokest's own). */
    private static String stackOf(Thread thread) {
        return taskFrames(thread.getStackTrace(), 0);
    }

    /** The frames from {@code from} down to the task's call, as log lines. */
    static String taskFrames(StackTraceElement[] frames, int from) {
        StringBuilder text = new StringBuilder();
        for (int i = from; i < frames.length && !frames[i].getClassName().equals(TaskRunner.class.getName()); i++) {
            if (i - from == FRAMES_LOGGED) {
                text.append("\n\t...");
                break;
            }
            text.append("\n\tat ").append(frames[i]);
        }
        return text.toString();
    }

    private void run(RunningTask task, byte[] payload) {
        if (task.isFinished() || !task.markStarted()) {
            return; // cancelled or given back before it started
        }
        Session session = task.session;
        long startNanos = System.nanoTime();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(session.loader);
        try {
            long delay = delayNanos;
            if (delay > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(delay);
                } catch (InterruptedException e) {
                    return; // cancelled while slowed down: already reported
                }
            }
            Object decoded;
            try {
                decoded = session.codec.deserialize(payload);
            } catch (Throwable e) {
                fail(task, Message.Result.ERROR, new TaskSerializationException(
                        KryoCodec.describe("the task, on the worker,", e).replace("cannot be serialized",
                                "cannot be read"), e));
                return;
            }
            if (!(decoded instanceof Callable<?> callable)) {
                fail(task, Message.Result.ERROR, new TaskSerializationException("the message held a "
                        + (decoded == null ? "null" : decoded.getClass().getName()) + ", not a task"));
                return;
            }
            Object value;
            task.enter(thread, decoded.getClass().getName());
            if (task.isFinished()) {
                return; // cancelled while it was read: a cancel from now on sees the thread and watches it
            }
            try {
                value = callable.call();
            } catch (Throwable t) {
                if (task.isFinished()) {
                    return; // cancelled or timed out: already reported
                }
                fail(task, Message.Result.TASK_FAILED, t);
                return;
            }
            byte[] bytes;
            try {
                bytes = session.codec.serialize(value);
            } catch (TaskSerializationException e) {
                fail(task, Message.Result.ERROR, e);
                return;
            } catch (Throwable e) {
                fail(task, Message.Result.ERROR, new TaskSerializationException(KryoCodec.describe(
                        "the result (" + (value == null ? "null" : value.getClass().getName()) + ")", e)));
                return;
            }
            task.finish(Message.Result.OK, bytes);
        } catch (Throwable unexpected) {
            LOG.error("task {} of client {} failed inside Brokest", task.taskId, session.clientName, unexpected);
            fail(task, Message.Result.ERROR, unexpected);
        } finally {
            task.exit();
            thread.setContextClassLoader(previous);
            Thread.interrupted(); // a late cancel must not leak into the next task on this thread
            recordTaskTime(session, System.nanoTime() - startNanos, payload.length);
        }
    }

    /**
     * Tells the session how long a task took and how big it was; when that lowers the client's credit,
     * gives back the tasks
     * it holds beyond the new credit that have not started (newest first), so they run where there is room
     * now instead of queueing behind longer tasks here.
     */
    private void recordTaskTime(Session session, long nanos, int payloadBytes) {
        int credit = session.credit.record(nanos, payloadBytes);
        if (credit == 0 || session.isClosed()) {
            return;
        }
        session.send(new Message.Credit(credit));
        int excess = session.running.size() + session.quota.waitingCount() - credit;
        for (Message.Submit waiting : session.quota.takeNewestWaiting(Math.max(0, excess))) {
            session.send(new Message.Result(waiting.taskId(), waiting.attempt(), Message.Result.REJECTED, new byte[0]));
            excess--;
        }
        if (excess <= 0) {
            return;
        }
        List<RunningTask> queued = new ArrayList<>();
        for (RunningTask t : session.running.values()) {
            if (!t.hasStarted()) {
                queued.add(t);
            }
        }
        queued.sort(Comparator.comparingLong((RunningTask t) -> t.taskId).reversed());
        for (int i = 0; i < queued.size() && excess > 0; i++) {
            if (queued.get(i).giveBack()) {
                excess--;
            }
        }
    }

    private static void fail(RunningTask task, byte status, Throwable t) {
        byte[] encoded;
        try {
            encoded = ThrowableCodec.encode(t);
        } catch (Throwable e) {
            // its getCause() or stack trace threw: the class name and the reason are still worth sending
            encoded = ThrowableCodec.encode(new RuntimeException(t.getClass().getName() + " (sent without its"
                    + " details: reading them threw " + e + ")"));
        }
        task.finish(status, encoded);
    }
}
