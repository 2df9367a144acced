package io.brokest.internal.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A thread that reads the client's sockets for itself ({@code ClientAgent.readForSpinner}) may be
 * interrupted: JeroMQ then throws EINTR from {@code recv}, which must not reach the client's error
 * handling (it would fail every task) nor lose the interrupt.
 */
class ReceiveNowTest {

    @Test
    void anInterruptedReadSaysSoInsteadOfThrowing() {
        try (ZContext context = new ZContext(1)) {
            ZMQ.Socket socket = context.createSocket(SocketType.DEALER);
            socket.connect("inproc://nobody-" + System.nanoTime());
            assertThat(ClientAgent.receiveNow(socket)).as("nothing waits").isNull();

            Thread.currentThread().interrupt();
            try {
                assertThat(ClientAgent.receiveNow(socket)).isSameAs(ClientAgent.INTERRUPTED);
                assertThat(Thread.interrupted()).as("JeroMQ cleared the flag; the agent restores it").isFalse();
            } finally {
                Thread.interrupted();
            }
            assertThat(ClientAgent.receiveNow(socket)).as("and reads on afterwards").isNull();
        }
    }
}
