package io.brokest.internal.util;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Named daemon threads for Brokest's executors, so a forgotten close never keeps a JVM alive. */
public final class DaemonThreads {
    private DaemonThreads() {
    }

    /** A factory naming its threads {@code prefix1}, {@code prefix2}, ... */
    public static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
