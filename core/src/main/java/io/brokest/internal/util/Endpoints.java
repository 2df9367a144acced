package io.brokest.internal.util;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The form of the endpoints a client connects to and a worker binds, checked when they are given, so
 * that a typo fails the call that made it with a message saying what was expected, instead of
 * reaching ZeroMQ on a socket thread (or a security check that would blame the missing keys). Whether
 * a host resolves and a worker listens there is not checked here: that can change while a client
 * runs, and the client keeps trying ({@code ClientAgent}).
 */
public final class Endpoints {
    private static final String EXPECTED_WORKER = "expected tcp://HOST:PORT, such as tcp://worker-1:5555 or "
            + "tcp://127.0.0.1:5555 (or ipc://PATH for a worker on this host)";
    private static final String EXPECTED_BIND = "expected tcp://ADDRESS:PORT, such as tcp://127.0.0.1:5555, "
            + "tcp://127.0.0.1:* for any free port, or tcp://*:5555 for all interfaces (or ipc://PATH)";

    private Endpoints() {
    }

    /**
     * Returns the endpoint of a worker to connect to, if it has a form one can be reached at.
     *
     * @throws IllegalArgumentException naming the endpoint and the form expected
     */
    public static String checkWorker(String endpoint) {
        return check(endpoint, false);
    }

    /**
     * Returns the endpoint for a worker to bind, if it has a form ZeroMQ can bind.
     *
     * @throws IllegalArgumentException naming the endpoint and the form expected
     */
    public static String checkBind(String endpoint) {
        return check(endpoint, true);
    }

    private static String check(String endpoint, boolean binding) {
        String problem = problem(endpoint, binding);
        if (problem != null) {
            throw new IllegalArgumentException((binding ? "invalid endpoint to bind '" : "invalid worker endpoint '")
                    + endpoint + "': " + problem + "; " + (binding ? EXPECTED_BIND : EXPECTED_WORKER));
        }
        return endpoint;
    }

    /**
     * Looks up the host of a {@code tcp://} endpoint, so that the JDK caches the answer (or its absence,
     * for {@code networkaddress.cache.negative.ttl}) for the connect that follows. Blocks as long as the
     * lookup; never throws.
     */
    public static void lookUpHost(String endpoint) {
        String host = tcpHost(endpoint);
        if (host == null) {
            return;
        }
        try {
            InetAddress.getAllByName(host);
        } catch (UnknownHostException | SecurityException | IllegalArgumentException e) {
            // the connect that follows fails the same way, and says why
        }
    }

    /**
     * The host of a {@code tcp://HOST:PORT} endpoint, without an IPv6 address's brackets (the whole
     * address when there is no port); null for other schemes.
     */
    public static String tcpHost(String endpoint) {
        if (!endpoint.startsWith("tcp://")) {
            return null;
        }
        String address = endpoint.substring("tcp://".length());
        int colon = address.lastIndexOf(':');
        String host = colon < 0 ? address : address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host;
    }

    /** What is wrong with the endpoint's form, or null if nothing. */
    private static String problem(String endpoint, boolean binding) {
        if (endpoint.isBlank() || !endpoint.strip().equals(endpoint)) {
            return endpoint.isBlank() ? "it is empty" : "it has spaces around it";
        }
        int sep = endpoint.indexOf("://");
        if (sep < 0) {
            return "it has no scheme";
        }
        String scheme = endpoint.substring(0, sep);
        String address = endpoint.substring(sep + 3);
        if (scheme.equals("ipc") || (binding && scheme.equals("inproc"))) {
            return address.isEmpty() ? "it has no " + (scheme.equals("ipc") ? "path" : "name") : null;
        }
        if (!scheme.equals("tcp")) {
            return (binding ? "workers listen" : "workers are reached") + " over tcp, not " + scheme;
        }
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            return "it has no port";
        }
        String host = address.substring(0, colon);
        if (host.isEmpty()) {
            return "it has no " + (binding ? "address" : "host");
        }
        if (!binding && host.equals("*")) {
            return "* is for binding a worker, a client needs the worker's host name or address";
        }
        if (host.chars().anyMatch(Character::isWhitespace)) {
            return "its host has a space in it";
        }
        String port = address.substring(colon + 1);
        if (binding && port.equals("*")) {
            return null;
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')
                || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65_535) {
            return "its port '" + port + "' is not a number from 1 to 65535" + (binding ? " (or *)" : "");
        }
        return null;
    }
}
