package io.brokest.internal.worker;

/** The settings of one worker, checked by {@code BrokestWorker.Builder}. */
public record WorkerConfig(String bind, int threads, int prefetch, int maxMessageBytes, int heartbeatMillis,
                           int liveness, long classFetchTimeoutMillis, long maxClassCacheBytes) {
    public int capacity() {
        return threads + prefetch;
    }
}
