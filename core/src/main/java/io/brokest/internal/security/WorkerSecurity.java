package io.brokest.internal.security;

import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;
import org.zeromq.ZEvent;
import org.zeromq.ZMQ;
import zmq.Msg;
import zmq.io.Metadata;

/**
 * How a worker's socket is secured, applied in one place ({@link #apply}) before it binds.
 *
 * <p>With CURVE, the ROUTER is a CURVE server holding the worker's secret key; every connection is
 * encrypted and must pass the {@link ZapHandler}, which admits only keys in the authorized keys file.
 * Revoking a key refuses new connections at once; an already-connected client is cut off at its next
 * message ({@link #refusal}), which comes within one heartbeat interval since clients ping when idle.
 *
 * <p>Without CURVE ({@link #none()}), nothing is checked: only safe on loopback, which
 * {@link BindPolicy} enforces. Thread-safe.
 */
public final class WorkerSecurity implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerSecurity.class);
    private static final WorkerSecurity NONE = new WorkerSecurity(null, null);

    private final KeyPair keys;
    private final AuthorizedKeys authorized;
    private final RefusalLog handshakeFailures = new RefusalLog(LOG);
    private ZapHandler zap;

    private WorkerSecurity(KeyPair keys, AuthorizedKeys authorized) {
        this.keys = keys;
        this.authorized = authorized;
    }

    /** No encryption, no authentication. */
    public static WorkerSecurity none() {
        return NONE;
    }

    /**
     * CURVE with the worker's secret key file and the file of authorized client keys, re-read every
     * {@code reloadInterval}.
     *
     * @throws IllegalArgumentException naming the file at fault when a key file is missing or invalid
     */
    public static WorkerSecurity curve(Path secretKeyFile, Path authorizedKeysFile, Duration reloadInterval) {
        KeyPair keys = KeyFiles.readSecret(secretKeyFile);
        AuthorizedKeys authorized = AuthorizedKeys.load(authorizedKeysFile);
        authorized.watch(reloadInterval);
        return new WorkerSecurity(keys, authorized);
    }

    public boolean isCurve() {
        return keys != null;
    }

    /** The worker's public key (Z85), for clients to pin; null without CURVE. */
    public String publicKey() {
        return keys == null ? null : keys.publicKey().z85();
    }

    /** Configures the ROUTER before it binds, and starts the authentication handler in its context. */
    public synchronized void apply(ZContext context, ZMQ.Socket router) {
        router.setMsgAllocator(new SafeAllocator(router.getMaxMsgSize()));
        router.setEventHook(this::onEvent, ZMQ.HANDSHAKE_FAILED_PROTOCOL | ZMQ.HANDSHAKE_FAILED_NO_DETAIL);
        if (keys == null) {
            return;
        }
        if (zap == null) {
            zap = new ZapHandler(context, authorized);
            zap.start();
        }
        router.setZAPDomain("brokest");
        router.setCurveServer(true);
        router.setCurveSecretKey(keys.secretKey().bytes());
        router.setCurvePublicKey(keys.publicKey().bytes());
    }

    /** Runs on a ZeroMQ I/O thread: only logs, rate-limited, so garbage cannot flood the log. */
    private void onEvent(ZEvent event) {
        String peer = event.getAddress();
        handshakeFailures.refused(String.valueOf(event.getEvent()), "a connection to " + peer
                + " failed its handshake (" + event.getEvent() + " " + event.getValue() + ")"
                + (keys == null ? "" : ": the peer does not use CURVE or does not have this worker's public key "
                + keys.publicKey().z85()));
    }

    /**
     * Whether a message received on the ROUTER may be handled: null if so, else why not. With CURVE,
     * the message's User-Id (the client key that ZAP admitted for its connection) must still be in the
     * authorized keys file.
     */
    public String refusal(Msg message) {
        if (keys == null) {
            return null;
        }
        Metadata metadata = message == null ? null : message.getMetadata();
        String key = metadata == null ? null : metadata.get(Metadata.USER_ID);
        if (key == null || key.isEmpty()) {
            return "a message arrived without an authenticated key";
        }
        return authorized.contains(key) ? null
                : "client key " + key + " was removed from the authorized keys file " + authorized.file();
    }

    /** One line for the startup log. */
    public String describe() {
        return keys == null ? "no CURVE (unencrypted, any local process may connect)"
                : "CURVE, public key " + keys.publicKey().z85() + ", " + authorized.size()
                + " authorized client key(s) in " + authorized.file();
    }

    @Override
    public synchronized void close() {
        if (zap != null) {
            zap.stop();
        }
        if (authorized != null) {
            authorized.close();
        }
    }
}
