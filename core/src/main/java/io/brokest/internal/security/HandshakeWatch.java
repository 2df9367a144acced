package io.brokest.internal.security;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZEvent;

/**
 * Watches the handshakes of one client connection to one worker, to tell "refused" apart from "not up
 * yet". ZeroMQ retries refused connections forever and silently, so without this a client that a
 * worker refuses would wait for its full no-worker timeout and then blame the network.
 *
 * <p>Two signs, since JeroMQ 0.6.0 reports only the first explicitly: the worker's authentication
 * handler said no (a HANDSHAKE_FAILED_AUTH event with the ZAP status), or a connection closed before
 * the worker said WELCOME and JeroMQ did not schedule a reconnect. JeroMQ retries a connection that
 * dropped or timed out (a CONNECT_RETRIED event follows within milliseconds), but ends for good one
 * whose handshake failed on protocol grounds: a wrong pinned key (the worker cannot decrypt our
 * CURVE HELLO) or no key at all (mechanism mismatch) look like that from here. So a close with no
 * retry within {@link #GIVE_UP_NANOS} is a refusal, while a stuck handshake (jeromq#1022, retried
 * after the handshake interval) or a worker that is restarting is not. A WELCOME resets everything.
 *
 * <p>Events arrive on a ZeroMQ I/O thread, WELCOME and queries on the client's agent thread: all
 * methods are synchronized.
 */
final class HandshakeWatch {
    private static final Logger LOG = LoggerFactory.getLogger(HandshakeWatch.class);
    static final long GIVE_UP_NANOS = 1_000_000_000L;
    /** How long a refused connection is left alone before trying again (the key may have been added). */
    static final long REOPEN_NANOS = 5_000_000_000L;

    private final String endpoint;
    private final String explainClose;
    private final String clientKey;
    private boolean connected;
    private long closedBeforeWelcomeAt;
    private long lastReopen = System.nanoTime();
    private String authFailure;
    private String lastProtocolFailure;
    private boolean logged;

    HandshakeWatch(String endpoint, String clientKey, String explainClose) {
        this.endpoint = endpoint;
        this.clientKey = clientKey;
        this.explainClose = explainClose;
    }

    synchronized void onEvent(ZEvent event) {
        switch (event.getEvent()) {
            case CONNECTED -> {
                connected = true;
                closedBeforeWelcomeAt = 0;
            }
            case CONNECT_RETRIED -> closedBeforeWelcomeAt = 0;
            case HANDSHAKE_FAILED_AUTH -> authFailure = "worker " + endpoint + " refused this client's key "
                    + (clientKey == null ? "" : clientKey + " ") + "(authentication status " + event.getValue()
                    + "): it is not in the worker's authorized keys file. Add this client's .pub line to that file "
                    + "(the worker re-reads it), or give this client the key that is listed";
            case HANDSHAKE_FAILED_PROTOCOL, HANDSHAKE_FAILED_NO_DETAIL ->
                    lastProtocolFailure = event.getEvent() + " " + event.getValue();
            case DISCONNECTED -> {
                if (connected) {
                    closedBeforeWelcomeAt = System.nanoTime();
                }
                connected = false;
            }
            default -> {
                // other events say nothing about trust
            }
        }
        logOnce();
    }

    private void logOnce() {
        String refusal = refusal();
        if (refusal != null && !logged) {
            logged = true;
            LOG.warn("{}", refusal);
        }
    }

    synchronized void welcomed() {
        connected = false;
        closedBeforeWelcomeAt = 0;
        authFailure = null;
        lastProtocolFailure = null;
        logged = false;
    }

    /** Why this worker will not take this client, or null while there is no such evidence. */
    synchronized String refusal() {
        if (authFailure != null) {
            return authFailure;
        }
        if (closedBeforeWelcomeAt != 0 && System.nanoTime() - closedBeforeWelcomeAt > GIVE_UP_NANOS) {
            return "worker " + endpoint + " rejected the connection during the handshake"
                    + (lastProtocolFailure == null ? "" : " (" + lastProtocolFailure + ")") + ": " + explainClose;
        }
        return null;
    }

    /** Whether to replace a refused connection now: JeroMQ will not retry it by itself. */
    synchronized boolean shouldReopen() {
        String refusal = refusal();
        if (refusal == null) {
            return false;
        }
        logOnce();
        long now = System.nanoTime();
        if (now - lastReopen < REOPEN_NANOS) {
            return false;
        }
        lastReopen = now;
        return true;
    }
}
