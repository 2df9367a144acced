package io.brokest.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.brokest.Brokest;
import io.brokest.BrokestWorker;
import io.brokest.internal.LogCapture;
import io.brokest.internal.util.Printable;
import io.brokest.internal.wire.Message;
import io.brokest.internal.wire.Protocol;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * What a peer says is only logged, never trusted: a worker id of any length, a reason with newlines in
 * it, a client name made to forge log lines. The peers here are a hand-made ROUTER socket and real
 * workers; the logs are read as written.
 */
@Timeout(60)
class WordsFromPeersTest {
    private final LogCapture log = new LogCapture();

    @Test
    void aWorkerWithAShortIdAndAForgingReasonNeitherStopsTheClientNorForgesItsLog() throws Exception {
        String logged = log.during(() -> {
            try (FakeWorker fake = new FakeWorker();
                 BrokestWorker real = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(1).start()) {
                try (Brokest brokest = Brokest.connect(fake.endpoint())) {
                    fake.awaitHello();
                    fake.send(new Message.Welcome("w", 1, 1, 1000, 1 << 20)); // ids are 36 characters
                    assertThat(log.awaitText("connected to worker " + fake.endpoint() + " (capacity 1)")).isTrue();
                    fake.send(new Message.Bye("leaving\n2026-12-04T00:00:00.000 ERROR forged line"));
                    assertThat(log.awaitText("is draining")).isTrue();

                    // the client still works: before, the short id's log line stopped it for good
                    brokest.addWorker(real.endpoint());
                    assertThat(brokest.submit(() -> "served").get(20, TimeUnit.SECONDS)).isEqualTo("served");
                }
            }
        });
        assertThat(logged).contains(" (w) is draining (leaving?2026-12-04T00:00:00.000 ERROR forged line)")
                .doesNotContain("\n2026-12-04T00:00:00.000 ERROR forged line");
    }

    @Test
    void aClientNameThatCouldForgeLogLinesIsRefusedByTheClientAndCleanedByTheWorker() throws Exception {
        assertThatThrownBy(() -> Brokest.builder().name("app\nERROR forged"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no control characters").hasMessageContaining("app?ERROR forged");
        assertThatThrownBy(() -> Brokest.builder().name("x".repeat(201)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 200 characters");

        // a peer that does not use the builder: its HELLO is read by the worker as it comes
        String logged = log.during(() -> {
            try (ZContext context = new ZContext(1);
                 BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(1).start()) {
                ZMQ.Socket peer = context.createSocket(SocketType.DEALER);
                peer.setLinger(0);
                peer.connect(worker.endpoint());
                peer.send(Protocol.encode(new Message.Hello(1, 2, "evil\nERROR forged" + "x".repeat(5_000), 1000,
                        1 << 20)), 0);
                assertThat(Protocol.decode(peer.recv(0))).isInstanceOf(Message.Welcome.class);
                peer.send(Protocol.encode(new Message.Bye("done")), 0);
                assertThat(log.awaitText("characters) left")).isTrue();
            }
        });
        assertThat(logged).contains("client evil?ERROR forgedxxx").contains("...(5017 characters) connected")
                .doesNotContain("\nERROR forged");
    }

    @Test
    void printableShowsControlCharactersAsQuestionMarksAndCutsLongText() {
        assertThat(Printable.of("a\r\nb\tc\u0000", 100)).isEqualTo("a??b?c?");
        assertThat(Printable.of("abcdef", 3)).isEqualTo("abc...(6 characters)");
        assertThat(Printable.of("ünïcode ✓", 100)).isEqualTo("ünïcode ✓");
        assertThat(Printable.of(null, 3)).isNull();
    }
}
