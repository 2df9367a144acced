package io.brokest.internal.client;

import java.util.List;

/** The settings of one client, checked by {@code Brokest.Builder}. */
public record ClientConfig(List<String> endpoints, String name, ClassLoader classLoader, int maxMessageBytes,
                           int heartbeatMillis, int liveness, int maxPending, boolean failFastWhenFull,
                           long closeTimeoutMillis, int callbackThreads) {
}
