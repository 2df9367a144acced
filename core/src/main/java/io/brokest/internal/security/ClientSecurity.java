package io.brokest.internal.security;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.zeromq.ZMQ;

/**
 * How a client's sockets are secured, applied in one place ({@link #apply}) to each DEALER before it
 * connects.
 *
 * <p>With CURVE, the client holds its own key pair and pins each worker's public key: the handshake
 * succeeds only with a worker that holds the matching secret key, so tasks are never sent to, nor
 * results read from, an impostor. Without CURVE nothing is checked (loopback only on the worker's
 * side). Either way each connection gets a {@link HandshakeWatch}, so a refusal becomes a clear error.
 * Thread-safe.
 */
public final class ClientSecurity {
    private final KeyPair keys;
    private final CurveKey defaultWorkerKey;
    private final Map<String, CurveKey> workerKeys;
    private final String pinnedFrom;
    private final Map<String, HandshakeWatch> watches = new ConcurrentHashMap<>();

    private ClientSecurity(KeyPair keys, CurveKey defaultWorkerKey, Map<String, CurveKey> workerKeys,
                           String pinnedFrom) {
        this.keys = keys;
        this.defaultWorkerKey = defaultWorkerKey;
        this.workerKeys = Map.copyOf(workerKeys);
        this.pinnedFrom = pinnedFrom;
    }

    /** No encryption, no authentication: for workers on loopback. */
    public static ClientSecurity none() {
        return new ClientSecurity(null, null, Map.of(), null);
    }

    /**
     * CURVE with this client's secret key file, a worker public key file for every worker (may be
     * null) and files for particular endpoints.
     *
     * @throws IllegalArgumentException naming the file at fault
     */
    public static ClientSecurity curve(Path clientSecretKeyFile, Path defaultWorkerKeyFile,
                                       Map<String, Path> workerKeyFiles) {
        KeyPair keys = KeyFiles.readSecret(clientSecretKeyFile);
        CurveKey defaultKey = defaultWorkerKeyFile == null ? null : KeyFiles.readPublic(defaultWorkerKeyFile);
        Map<String, CurveKey> perEndpoint = new java.util.HashMap<>();
        workerKeyFiles.forEach((endpoint, file) -> perEndpoint.put(endpoint, KeyFiles.readPublic(file)));
        StringBuilder from = new StringBuilder();
        if (defaultWorkerKeyFile != null) {
            from.append(defaultWorkerKeyFile);
        }
        workerKeyFiles.values().forEach(f -> from.append(from.length() == 0 ? "" : ", ").append(f));
        return new ClientSecurity(keys, defaultKey, perEndpoint, from.toString());
    }

    public boolean isCurve() {
        return keys != null;
    }

    /** This client's public key (Z85), for the workers' authorized keys files; null without CURVE. */
    public String publicKey() {
        return keys == null ? null : keys.publicKey().z85();
    }

    /**
     * Checks that a worker can be connected to with these settings.
     *
     * @throws IllegalArgumentException when CURVE is on and no public key is pinned for the endpoint
     */
    public void requireKeyFor(String endpoint) {
        if (keys != null && workerKey(endpoint) == null) {
            throw new IllegalArgumentException("no public key is pinned for worker " + endpoint
                    + "; give it with workerPublicKey(path) for all workers or workerPublicKey(\"" + endpoint
                    + "\", path)");
        }
    }

    private CurveKey workerKey(String endpoint) {
        CurveKey key = workerKeys.get(endpoint);
        return key != null ? key : defaultWorkerKey;
    }

    /** Configures a DEALER before it connects to {@code endpoint}. Agent thread only. */
    public void apply(ZMQ.Socket dealer, String endpoint) {
        HandshakeWatch watch = watches.computeIfAbsent(endpoint, e -> new HandshakeWatch(e, publicKey(),
                keys != null
                        ? "it is not the worker whose public key this client pinned (" + pinnedFrom + "), or it does "
                        + "not use CURVE. Check workerPublicKey(...) against the worker's NAME.pub"
                        : "it probably requires CURVE authentication; give this client clientKey(...) and "
                        + "workerPublicKey(...), and list the client's public key in the worker's authorized keys"));
        dealer.setMsgAllocator(new SafeAllocator(dealer.getMaxMsgSize())); // a worker must not be able to stall us either
        dealer.setEventHook(watch::onEvent, ZMQ.EVENT_CONNECTED | ZMQ.EVENT_DISCONNECTED | ZMQ.EVENT_CONNECT_RETRIED
                | ZMQ.HANDSHAKE_FAILED_AUTH | ZMQ.HANDSHAKE_FAILED_PROTOCOL | ZMQ.HANDSHAKE_FAILED_NO_DETAIL);
        if (keys == null) {
            return;
        }
        CurveKey server = workerKey(endpoint);
        if (server == null) {
            throw new IllegalArgumentException("no public key is pinned for worker " + endpoint);
        }
        dealer.setCurvePublicKey(keys.publicKey().bytes());
        dealer.setCurveSecretKey(keys.secretKey().bytes());
        dealer.setCurveServerKey(server.bytes());
    }

    /** The worker said WELCOME: whatever refused us before is over. */
    public void welcomed(String endpoint) {
        HandshakeWatch watch = watches.get(endpoint);
        if (watch != null) {
            watch.welcomed();
        }
    }

    /**
     * Whether the connection to a worker that refused this client should be replaced now (every few
     * seconds), so that a key added to the worker's authorized keys file later is picked up.
     */
    public boolean shouldReopen(String endpoint) {
        HandshakeWatch watch = watches.get(endpoint);
        return watch != null && watch.shouldReopen();
    }

    /** Why this worker refuses this client (or could not prove it is the pinned worker), or null. */
    public String refusal(String endpoint) {
        HandshakeWatch watch = watches.get(endpoint);
        return watch == null ? null : watch.refusal();
    }
}
