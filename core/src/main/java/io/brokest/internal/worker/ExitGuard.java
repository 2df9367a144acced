package io.brokest.internal.worker;

import io.brokest.BrokestException;
import io.brokest.internal.serial.ThrowableCodec;
import io.brokest.internal.wire.Message;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JVM shutdown hook for one worker: when the JVM exits because a task called {@code System.exit},
 * fails that task with an error saying so, and sends it before the worker goes. Without it, the client
 * saw only a lost worker and re-ran the task elsewhere, where it stopped that worker too: one such
 * task took down as many workers as it had retries, with nothing in their logs.
 */
final class ExitGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ExitGuard.class);

    private final Supplier<List<Session>> sessions;
    /** Stops the worker, sending what it has queued first. */
    private final Runnable stopWorker;
    private final Thread hook = new Thread(this::onExit, "brokest-exit-guard");

    ExitGuard(Supplier<List<Session>> sessions, Runnable stopWorker) {
        this.sessions = sessions;
        this.stopWorker = stopWorker;
    }

    void install() {
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException e) {
            // a worker started while the JVM exits: there is nothing left to guard
        }
    }

    void uninstall() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is exiting: the hook runs, or ran (it may be what is stopping the worker)
        }
    }

    private void onExit() {
        boolean found = false;
        for (Map.Entry<Thread, StackTraceElement[]> thread : Thread.getAllStackTraces().entrySet()) {
            int caller = exitCaller(thread.getValue());
            if (caller < 0) {
                continue;
            }
            RunningTask task = taskOn(thread.getKey());
            if (task == null) {
                logIfStartedByATask(thread.getKey(), thread.getValue(), caller);
                continue; // not a task's own thread: the application's own exit, or a thread a task started
            }
            String what = "task " + task.taskId + " (" + task.description() + ") of client " + task.session.clientName
                    + " called System.exit, at" + TaskRunner.taskFrames(thread.getValue(), caller);
            LOG.error("{}\nThis worker's JVM exits. The task fails on its client and is not re-run elsewhere, where"
                    + " it would stop that worker too. A task must return or throw, never exit its worker.", what);
            task.finish(Message.Result.ERROR, ThrowableCodec.encode(new BrokestException(what
                    + "\nThat worker's JVM exited. The task is not re-run elsewhere, where it would stop that worker"
                    + " too: a task must return or throw, never exit its worker.")));
            found = true;
        }
        if (found) {
            stopWorker.run();
        }
    }

    /**
     * A thread a task started inherits the task's context class loader, which is its client's: enough
     * to say whose task it was, though not which one (so none is failed, and they are re-run elsewhere).
     */
    private void logIfStartedByATask(Thread thread, StackTraceElement[] frames, int caller) {
        ClassLoader loader = thread.getContextClassLoader();
        for (Session session : sessions.get()) {
            if (session.loader == loader) {
                LOG.error("a thread started by a task of client {} ({}) called System.exit, at{}\nThis worker's JVM "
                        + "exits, and that client re-runs its tasks elsewhere. A task must return or throw, never exit "
                        + "its worker, nor start threads that do.", session.clientName, thread.getName(),
                        TaskRunner.taskFrames(frames, caller));
                return;
            }
        }
    }

    private RunningTask taskOn(Thread thread) {
        for (Session session : sessions.get()) {
            for (RunningTask task : session.running.values()) {
                if (task.thread() == thread) {
                    return task;
                }
            }
        }
        return null;
    }

    /** The index of the frame that called {@code System.exit} or {@code Runtime.exit}, or -1 if none did. */
    static int exitCaller(StackTraceElement[] frames) {
        for (int i = 0; i < frames.length; i++) {
            if (isExit(frames[i], "java.lang.Shutdown")) {
                int caller = i + 1;
                while (caller < frames.length && (isExit(frames[caller], "java.lang.Runtime")
                        || isExit(frames[caller], "java.lang.System"))) {
                    caller++;
                }
                return caller;
            }
        }
        return -1;
    }

    private static boolean isExit(StackTraceElement frame, String className) {
        return frame.getClassName().equals(className) && frame.getMethodName().equals("exit");
    }
}
