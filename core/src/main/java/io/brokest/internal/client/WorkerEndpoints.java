package io.brokest.internal.client;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The form of a worker endpoint a client connects to, checked when it is given, so that a typo fails
 * the call that made it with a message saying what was expected, instead of reaching ZeroMQ on the
 * client's socket thread. Whether the host resolves and a worker listens there is not checked here:
 * that can change while the client runs, and the client keeps trying ({@code ClientAgent}).
 */
public final class WorkerEndpoints {
    private static final String EXPECTED = "expected tcp://HOST:PORT, such as tcp://worker-1:5555 or tcp://127.0.0.1:5555"
            + " (or ipc://PATH for a worker on this host)";

    private WorkerEndpoints() {
    }

    /**
     * Returns the endpoint if it has a form a worker can be reached at.
     *
     * @throws IllegalArgumentException naming the endpoint and the form expected
     */
    public static String check(String endpoint) {
        String problem = problem(endpoint);
        if (problem != null) {
            throw new IllegalArgumentException("invalid worker endpoint '" + endpoint + "': " + problem + "; " + EXPECTED);
        }
        return endpoint;
    }

    /**
     * Looks up the host of a {@code tcp://} endpoint, so that the JDK caches the answer (or its absence,
     * for {@code networkaddress.cache.negative.ttl}) for the connect that follows. Blocks as long as the
     * lookup; never throws.
     */
    static void lookUpHost(String endpoint) {
        if (!endpoint.startsWith("tcp://")) {
            return;
        }
        String address = endpoint.substring("tcp://".length());
        String host = address.substring(0, Math.max(0, address.lastIndexOf(':')));
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            InetAddress.getAllByName(host);
        } catch (UnknownHostException | SecurityException | IllegalArgumentException e) {
            // the connect that follows fails the same way, and says why
        }
    }

    /** What is wrong with the endpoint's form, or null if nothing. */
    private static String problem(String endpoint) {
        if (endpoint.isBlank() || !endpoint.strip().equals(endpoint)) {
            return endpoint.isBlank() ? "it is empty" : "it has spaces around it";
        }
        int sep = endpoint.indexOf("://");
        if (sep < 0) {
            return "it has no scheme";
        }
        String scheme = endpoint.substring(0, sep);
        String address = endpoint.substring(sep + 3);
        if (scheme.equals("ipc")) {
            return address.isEmpty() ? "it has no path" : null;
        }
        if (!scheme.equals("tcp")) {
            return "workers are reached over tcp, not " + scheme;
        }
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            return "it has no port";
        }
        String host = address.substring(0, colon);
        if (host.isEmpty()) {
            return "it has no host";
        }
        if (host.equals("*")) {
            return "* is for binding a worker, a client needs the worker's host name or address";
        }
        if (host.chars().anyMatch(Character::isWhitespace)) {
            return "its host has a space in it";
        }
        String port = address.substring(colon + 1);
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')
                || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65_535) {
            return "its port '" + port + "' is not a number from 1 to 65535";
        }
        return null;
    }
}
