package io.brokest.internal.util;

import org.slf4j.Logger;

/**
 * Logs bad input at most once per interval, with the count of what was suppressed, so a flood of
 * garbage cannot flood the log too.
 */
public final class RateLimitedLog {
    private final Logger log;
    private final long intervalNanos;
    private long lastNanos;
    private long suppressed;
    private long total;

    public RateLimitedLog(Logger log, long intervalMillis) {
        this.log = log;
        this.intervalNanos = intervalMillis * 1_000_000L;
        this.lastNanos = System.nanoTime() - intervalNanos;
    }

    public synchronized void warn(String what) {
        total++;
        long now = System.nanoTime();
        if (now - lastNanos >= intervalNanos) {
            log.warn("{}{}", what, suppressed == 0 ? "" : " (and " + suppressed + " similar messages since the last report)");
            lastNanos = now;
            suppressed = 0;
        } else {
            suppressed++;
        }
    }

    public synchronized long total() {
        return total;
    }
}
