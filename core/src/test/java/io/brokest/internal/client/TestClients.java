package io.brokest.internal.client;

import java.util.List;

/** Client settings for the engine-level tests in this package: one worker, no CURVE. */
final class TestClients {
    private TestClients() {
    }

    /**
     * 1 MiB messages, heartbeats every second (3 missed: lost), at most 100 pending tasks (waiting
     * for room rather than failing), 1 s to close, one callback thread.
     */
    static ClientConfig config(String endpoint, String name) {
        return new ClientConfig(List.of(endpoint), name, TestClients.class.getClassLoader(), 1 << 20, 1_000, 3, 100,
                false, 1_000, 1);
    }
}
