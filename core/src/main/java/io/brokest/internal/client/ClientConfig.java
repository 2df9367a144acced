package io.brokest.internal.client;

import io.brokest.internal.security.ClientSecurity;
import java.util.List;

/** The settings of one client, checked by {@code Brokest.Builder}. */
public record ClientConfig(List<String> endpoints, String name, ClassLoader classLoader, int maxMessageBytes,
                           int heartbeatMillis, int liveness, int maxPending, boolean failFastWhenFull,
                           long closeTimeoutMillis, int callbackThreads, ClientSecurity security) {

    /** Without CURVE. */
    public ClientConfig(List<String> endpoints, String name, ClassLoader classLoader, int maxMessageBytes,
                        int heartbeatMillis, int liveness, int maxPending, boolean failFastWhenFull,
                        long closeTimeoutMillis, int callbackThreads) {
        this(endpoints, name, classLoader, maxMessageBytes, heartbeatMillis, liveness, maxPending, failFastWhenFull,
                closeTimeoutMillis, callbackThreads, ClientSecurity.none());
    }
}
