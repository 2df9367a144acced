package io.brokest.internal.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.brokest.internal.wire.MalformedMessageException;
import io.brokest.internal.wire.Message;
import io.brokest.internal.wire.Protocol;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * For tests: a hand-made ROUTER on a free loopback port that a client takes for a worker. It says
 * only what the test makes it say, to the connection the client's last HELLO came from.
 */
final class FakeWorker implements AutoCloseable {
    private final ZContext context = new ZContext(1);
    final ZMQ.Socket socket = context.createSocket(SocketType.ROUTER);
    /** The connection to answer on: the one the last HELLO came from. */
    byte[] route;

    FakeWorker() {
        socket.setLinger(0);
        socket.bind("tcp://127.0.0.1:*");
    }

    String endpoint() {
        return socket.getLastEndpoint();
    }

    /** Waits for the client's HELLO and answers on its connection from now on. */
    void awaitHello() throws MalformedMessageException {
        route = socket.recv(0);
        assertThat(Protocol.decode(socket.recv(0))).isInstanceOf(Message.Hello.class);
    }

    void send(Message message) {
        sendFrame(Protocol.encode(message));
    }

    /** Sends a frame as it is, well-formed or not. */
    void sendFrame(byte[] frame) {
        socket.send(route, ZMQ.SNDMORE | ZMQ.DONTWAIT);
        socket.send(frame, ZMQ.DONTWAIT);
    }

    @Override
    public void close() {
        context.close();
    }
}
