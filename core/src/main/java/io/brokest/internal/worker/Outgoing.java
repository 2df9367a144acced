package io.brokest.internal.worker;

/**
 * A frame for the socket thread to send: to a session's current connection, or (session null) to a
 * raw routing id, for replies to peers that never said HELLO.
 */
record Outgoing(Session session, byte[] routingId, byte[] frame) {
    static Outgoing to(Session session, byte[] frame) {
        return new Outgoing(session, null, frame);
    }
}
