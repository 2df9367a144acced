package io.brokest.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * For tests: what this JVM logs (slf4j-simple writes to {@code System.err}) while an action runs,
 * with a wait for a given text that wakes on each write instead of polling.
 */
public final class LogCapture extends ByteArrayOutputStream {

    /** Something a test runs while the log is captured. */
    public interface Action {
        void run() throws Exception;
    }

    /** Runs the action with {@code System.err} captured here; returns what was logged meanwhile. */
    public String during(Action action) throws Exception {
        PrintStream originalErr = System.err;
        System.setErr(new PrintStream(this, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(originalErr);
        }
        return text();
    }

    /** Waits until the text has been logged, for 20 s at most; returns whether it was. */
    public synchronized boolean awaitText(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long left;
        while (!text().contains(text)) {
            if ((left = deadline - System.nanoTime()) <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    public synchronized String text() {
        return toString(StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
        super.write(bytes, offset, length);
        notifyAll();
    }

    @Override
    public synchronized void write(int b) {
        super.write(b);
        notifyAll();
    }
}
