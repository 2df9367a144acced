package io.brokest.internal.security;

import zmq.Msg;
import zmq.msg.MsgAllocator;
import zmq.msg.MsgAllocatorThreshold;

/**
 * Works around two JeroMQ 0.6.0 decoder bugs that let one packet from any peer, before it
 * authenticates, take down a socket's I/O thread, and with it every connection of the worker (both
 * found by {@code FuzzIT}):
 * <ul>
 *   <li>a ZMTP frame's 8-byte size is checked against the maximum message size but not for being
 *       negative; cast to an int, it asks for a negative array, and the exception leaves the decoder
 *       spinning at 100% CPU in {@code DecoderBase.decode};</li>
 *   <li>while the connection is being set up the maximum message size is not applied at all, so a
 *       frame header announcing ~2 GB makes the I/O thread allocate it, and die of OutOfMemoryError.</li>
 * </ul>
 * Here a size that is negative or over the socket's limit yields an empty message instead: the peer's
 * stream then fails to parse and ZeroMQ drops that one connection, as it should have.
 */
final class SafeAllocator implements MsgAllocator {
    private final MsgAllocator delegate = new MsgAllocatorThreshold();
    private final long maxBytes;

    /** @param maxBytes the socket's maximum message size; negative for none */
    SafeAllocator(long maxBytes) {
        this.maxBytes = maxBytes < 0 ? Integer.MAX_VALUE : maxBytes;
    }

    @Override
    public Msg allocate(int size) {
        return size < 0 || size > maxBytes ? new Msg(0) : delegate.allocate(size);
    }
}
