package io.brokest.internal.security;

import io.brokest.internal.util.Endpoints;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Safe by default: a worker executes the code that arrives on its socket, so without CURVE it may
 * only listen where no other machine can reach it. Anything but a loopback address, or all
 * interfaces ({@code *}, {@code 0.0.0.0}), needs keys, or an explicit opt-out that is logged loudly.
 */
public final class BindPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(BindPolicy.class);

    /** How to set keys up, for error messages. */
    public static final String HOW_TO_SET_UP_KEYS = "set up CURVE keys: (1) 'java -jar worker-daemon.jar keygen "
            + "--out keys --name worker' and the same with --name for each client; (2) put each client's "
            + ".pub line in an authorized keys file; (3) start the worker with --key keys/worker.key "
            + "--authorized-keys FILE (embedded: BrokestWorker.builder().key(...).authorizedKeys(...)) and the "
            + "client with Brokest.builder().clientKey(...).workerPublicKey(...)";

    private BindPolicy() {
    }

    /**
     * Checks that a worker may bind here with this security.
     *
     * @throws IllegalStateException saying how to set keys up when it may not
     */
    public static void check(String endpoint, boolean curve, boolean allowInsecure) {
        if (curve || isLoopback(endpoint)) {
            return;
        }
        if (!allowInsecure) {
            throw new IllegalStateException("refusing to listen on " + endpoint + " without CURVE: any machine "
                    + "that can reach it could run code here. Bind a loopback address (tcp://127.0.0.1:PORT), or "
                    + HOW_TO_SET_UP_KEYS + ". If this network is trusted, --insecure (allowInsecure(true)) "
                    + "overrides this check");
        }
        LOG.warn("**************************************************************************");
        LOG.warn("INSECURE: listening on {} without CURVE. ANYONE WHO CAN REACH THIS ADDRESS", endpoint);
        LOG.warn("CAN RUN ANY CODE ON THIS MACHINE AS THIS USER. To fix: {}", HOW_TO_SET_UP_KEYS);
        LOG.warn("**************************************************************************");
    }

    /** Whether an endpoint is reachable from this machine only. */
    public static boolean isLoopback(String endpoint) {
        int sep = endpoint.indexOf("://");
        if (sep < 0) {
            return false;
        }
        String scheme = endpoint.substring(0, sep);
        if (scheme.equals("inproc")) {
            return true;
        }
        if (scheme.equals("ipc")) {
            return true; // JeroMQ implements ipc as TCP on 127.0.0.1
        }
        String host = Endpoints.tcpHost(endpoint); // null for a scheme other than tcp
        if (host == null || host.isEmpty() || host.equals("*")) {
            return false;
        }
        try {
            InetAddress[] all = InetAddress.getAllByName(host);
            for (InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException | SecurityException e) {
            return false; // an interface name or an unknown host: assume reachable from outside
        }
    }
}
