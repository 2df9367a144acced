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
 * handler said no (a HANDSHAKE_FAILED_AUTH event with the ZAP status), or connections keep closing
 * before the worker ever says WELCOME, which is what a wrong pinned key (the impostor cannot decrypt
 * our CURVE HELLO) or a missing one (mechanism mismatch) looks like from here. The second needs
 * {@link #CLOSES_BEFORE_REFUSED} closes in a row, so the rare stuck handshake (jeromq#1022, retried after
 * the handshake interval) is not mistaken for a refusal. A WELCOME resets everything.
 *
 * <p>Events arrive on a ZeroMQ I/O thread, WELCOME and queries on the client's agent thread: all
 * methods are synchronized.
 */
final class HandshakeWatch {
    private static final Logger LOG = LoggerFactory.getLogger(HandshakeWatch.class);
    static final int CLOSES_BEFORE_REFUSED = 4;

    private final String endpoint;
    private final String explainClose;
    private final String clientKey;
    private boolean connected;
    private int closesBeforeWelcome;
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
            case CONNECTED -> connected = true;
            case HANDSHAKE_FAILED_AUTH -> authFailure = "worker " + endpoint + " refused this client's key "
                    + (clientKey == null ? "" : clientKey + " ") + "(authentication status " + event.getValue()
                    + "): it is not in the worker's authorized keys file. Add this client's .pub line to that file "
                    + "(the worker re-reads it), or give this client the key that is listed";
            case HANDSHAKE_FAILED_PROTOCOL, HANDSHAKE_FAILED_NO_DETAIL ->
                    lastProtocolFailure = event.getEvent() + " " + event.getValue();
            case DISCONNECTED -> {
                if (connected) {
                    closesBeforeWelcome++;
                }
                connected = false;
            }
            default -> {
                // other events say nothing about trust
            }
        }
        String refusal = refusal();
        if (refusal != null && !logged) {
            logged = true;
            LOG.warn("{}", refusal);
        }
    }

    synchronized void welcomed() {
        connected = false;
        closesBeforeWelcome = 0;
        authFailure = null;
        lastProtocolFailure = null;
        logged = false;
    }

    /** Why this worker will not take this client, or null while there is no such evidence. */
    synchronized String refusal() {
        if (authFailure != null) {
            return authFailure;
        }
        if (closesBeforeWelcome >= CLOSES_BEFORE_REFUSED) {
            return "worker " + endpoint + " closed the connection during the handshake " + closesBeforeWelcome
                    + " times in a row" + (lastProtocolFailure == null ? "" : " (" + lastProtocolFailure + ")")
                    + ": " + explainClose;
        }
        return null;
    }
}
