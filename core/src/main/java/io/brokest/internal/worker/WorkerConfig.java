package io.brokest.internal.worker;

import io.brokest.internal.security.WorkerSecurity;

/**
 * The settings of one worker, checked by {@code BrokestWorker.Builder}. {@code maxTasksPerClient} bounds
 * what one client may have running or queued here, so a flood from one cannot take the threads from
 * the others.
 */
public record WorkerConfig(String bind, int threads, int prefetch, int maxMessageBytes, int heartbeatMillis,
                           int liveness, long classFetchTimeoutMillis, long maxClassCacheBytes,
                           WorkerSecurity security, int maxTasksPerClient) {

    /** Without CURVE, and one client may use the whole capacity. */
    public WorkerConfig(String bind, int threads, int prefetch, int maxMessageBytes, int heartbeatMillis,
                        int liveness, long classFetchTimeoutMillis, long maxClassCacheBytes) {
        this(bind, threads, prefetch, maxMessageBytes, heartbeatMillis, liveness, classFetchTimeoutMillis,
                maxClassCacheBytes, WorkerSecurity.none(), threads + prefetch);
    }

    /**
     * The prefetch when none is given: as many as the threads, at least 4 (measured: with 2, a 2-core
     * host ran 1,200 no-op tasks/s; with 64, 40,000), so a result's round trip is hidden.
     */
    public static int defaultPrefetch(int threads) {
        return Math.max(4, threads);
    }

    public int capacity() {
        return threads + prefetch;
    }

    /** The credit each client is granted: the capacity, or less when the per-client limit is lower. */
    public int creditsPerClient() {
        return Math.min(capacity(), maxTasksPerClient);
    }
}
