package io.brokest.internal.security;

import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Logs refused connections so an operator sees each refused key, without letting a client that
 * retries every 100 ms, or an attacker with many keys, flood the log: each key is logged at most once
 * per interval, and distinct keys beyond a bound fall back to one line per interval.
 */
final class RefusalLog {
    private static final long INTERVAL_NANOS = 10_000_000_000L;
    private static final int MAX_KEYS = 256;

    private final Logger log;
    private final Map<String, Long> lastLogged = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_KEYS;
        }
    };
    private long suppressed;

    RefusalLog(Logger log) {
        this.log = log;
    }

    synchronized void refused(String key, String message) {
        long now = System.nanoTime();
        String k = key == null ? "" : key;
        Long last = lastLogged.get(k);
        if (last != null && now - last < INTERVAL_NANOS) {
            suppressed++;
            return;
        }
        lastLogged.put(k, now);
        log.warn("{}{}", message, suppressed == 0 ? "" : " (" + suppressed + " repeated refusals not logged)");
        suppressed = 0;
    }
}
