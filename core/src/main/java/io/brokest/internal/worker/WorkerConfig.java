package io.brokest.internal.worker;

import io.brokest.internal.security.WorkerSecurity;

/**
 * The settings of one worker, checked by {@code BrokestWorker.Builder}. {@code prefetch} is the base
 * prefetch; for short tasks it grows up to {@code maxPrefetch} ({@link AdaptiveCredit}), and equal
 * values fix it. {@code maxTasksPerClient} bounds what one client may have running or queued here, so
 * a flood from one cannot take the threads from the others. {@code pollResults} lets the socket thread
 * look for results every millisecond while tasks that mostly wait run ({@link ResultPolling}).
 */
public record WorkerConfig(String bind, int threads, int prefetch, int maxPrefetch, int maxMessageBytes,
                           int heartbeatMillis, int liveness, long classFetchTimeoutMillis, long maxClassCacheBytes,
                           WorkerSecurity security, int maxTasksPerClient, boolean pollResults) {
    /** How far the prefetch may grow for short tasks when none is given. */
    public static final int DEFAULT_MAX_PREFETCH = 1000;

    /** Without CURVE, with a fixed prefetch, and one client may use the whole capacity. */
    public WorkerConfig(String bind, int threads, int prefetch, int maxMessageBytes, int heartbeatMillis,
                        int liveness, long classFetchTimeoutMillis, long maxClassCacheBytes) {
        this(bind, threads, prefetch, prefetch, maxMessageBytes, heartbeatMillis, liveness, classFetchTimeoutMillis,
                maxClassCacheBytes, WorkerSecurity.none(), threads + prefetch, true);
    }

    /**
     * The settings a worker gets when its prefetch is not given ({@code prefetch < 0}): the default base,
     * growing up to {@link #DEFAULT_MAX_PREFETCH} for short tasks; a given prefetch is fixed. The
     * per-client limit defaults to the most credit a client can be granted.
     */
    public static WorkerConfig of(String bind, int threads, int prefetch, int maxMessageBytes, int heartbeatMillis,
                                  int liveness, long classFetchTimeoutMillis, long maxClassCacheBytes,
                                  WorkerSecurity security, Integer maxTasksPerClient) {
        int base = prefetch >= 0 ? prefetch : defaultPrefetch(threads);
        int max = prefetch >= 0 ? prefetch : Math.max(base, DEFAULT_MAX_PREFETCH);
        return new WorkerConfig(bind, threads, base, max, maxMessageBytes, heartbeatMillis, liveness,
                classFetchTimeoutMillis, maxClassCacheBytes, security,
                maxTasksPerClient != null ? maxTasksPerClient : threads + max, true);
    }

    /** These settings, with result polling on or off. */
    public WorkerConfig withPollResults(boolean poll) {
        return new WorkerConfig(bind, threads, prefetch, maxPrefetch, maxMessageBytes, heartbeatMillis, liveness,
                classFetchTimeoutMillis, maxClassCacheBytes, security, maxTasksPerClient, poll);
    }

    /**
     * The prefetch when none is given: as many as the threads, at least 4 (measured: with 2, a 2-core
     * host ran 1,200 no-op tasks/s; with 64, 40,000), so a result's round trip is hidden.
     */
    public static int defaultPrefetch(int threads) {
        return Math.max(4, threads);
    }

    /** Tasks offered to each client at first: the threads plus the base prefetch. */
    public int capacity() {
        return threads + prefetch;
    }

    /** A new client's credit keeper: starts at the capacity (or the per-client limit, if lower). */
    AdaptiveCredit newCredit() {
        return new AdaptiveCredit(threads, prefetch, maxPrefetch, maxTasksPerClient);
    }
}
