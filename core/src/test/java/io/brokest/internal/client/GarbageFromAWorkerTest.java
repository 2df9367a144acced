package io.brokest.internal.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.brokest.Brokest;
import io.brokest.BrokestWorker;
import io.brokest.internal.LogCapture;
import io.brokest.internal.wire.Message;
import io.brokest.internal.wire.Protocol;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker that talks nonsense (an impostor where no key is pinned, or a broken one) can fail the
 * tasks it was given, but never the client: after thousands of random and mutated messages from a
 * hand-made ROUTER, a real worker added to the same client still runs every task. Seeded.
 */
@Timeout(90)
class GarbageFromAWorkerTest {
    private static final long SEED = 20261205L;

    @Test
    void randomAndMutatedMessagesFromAWorkerNeverStopTheClient() throws Exception {
        LogCapture log = new LogCapture();
        String logged = log.during(() -> {
            try (FakeWorker fake = new FakeWorker();
                 BrokestWorker real = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(2).start()) {
                try (Brokest brokest = Brokest.builder().workers(fake.endpoint()).build()) {
                    fake.awaitHello();
                    fake.send(new Message.Welcome("f".repeat(36), 1, 4, 1000, 1 << 20));
                    for (int i = 0; i < 8; i++) {
                        brokest.submit(() -> "to the fake"); // their fate is the fake's: they may fail
                    }
                    Random random = new Random(SEED);
                    List<byte[]> valid = validMessages(random);
                    for (int i = 0; i < 5_000; i++) {
                        byte[] frame = random.nextInt(4) == 0 ? randomBytes(random, 1 + random.nextInt(64))
                                : mutate(random, valid.get(random.nextInt(valid.size())));
                        fake.sendFrame(frame);
                    }
                    // the client answers a class request after reading everything sent before it, on
                    // this connection or the one it opened after dropping this one
                    assertThat(answersAfterAll(fake)).as("the client read the garbage and still answers")
                            .isTrue();
                    brokest.removeWorker(fake.endpoint());
                    brokest.addWorker(real.endpoint());
                    for (int i = 0; i < 20; i++) {
                        int k = i;
                        assertThat(brokest.submit(() -> k * 2).get(30, TimeUnit.SECONDS)).isEqualTo(k * 2);
                    }
                }
            }
        });
        assertThat(logged).doesNotContain("Brokest client agent failed");
        // thousands of bad frames, one line: logged at most every 10 s (before: a line each)
        assertThat(logged.split("dropped a malformed message", -1).length - 1).isBetween(1, 3);
    }

    private static final long MARKER = 999_999;

    /** Sends a class request last and waits (20 s at most) for its answer; a new HELLO is welcomed. */
    private static boolean answersAfterAll(FakeWorker fake) throws Exception {
        fake.socket.setReceiveTimeOut(500);
        Message marker = new Message.ClassRequest(MARKER, Message.ClassRequest.CLASS, "java/lang/String.class", null);
        fake.send(marker);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            byte[] from = fake.socket.recv(0);
            if (from == null) {
                fake.send(marker); // timed out: ask again
                continue;
            }
            while (fake.socket.hasReceiveMore()) {
                Message m;
                try {
                    m = Protocol.decode(fake.socket.recv(0));
                } catch (Exception e) {
                    continue;
                }
                if (m instanceof Message.Hello) { // it dropped the connection and opened another
                    fake.route = from;
                    fake.send(new Message.Welcome("f".repeat(36), 1, 4, 1000, 1 << 20));
                    fake.send(marker);
                } else if (m instanceof Message.ClassData data && data.requestId() == MARKER) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<byte[]> validMessages(Random random) {
        byte[] payload = randomBytes(random, 32);
        return List.of(
                Protocol.encode(new Message.Welcome("w", -1, Integer.MAX_VALUE, 0, 0)),
                Protocol.encode(new Message.Welcome("", 2, -5, -1000, -1)),
                Protocol.encode(new Message.Result(1, 1, Message.Result.OK, payload)),
                Protocol.encode(new Message.Result(2, 1, Message.Result.TASK_FAILED, payload)),
                Protocol.encode(new Message.Result(3, 1, Message.Result.ERROR, payload)),
                Protocol.encode(new Message.Result(4, 1, (byte) 99, payload)),
                Protocol.encode(new Message.Result(Long.MAX_VALUE, Integer.MIN_VALUE, Message.Result.REJECTED, payload)),
                Protocol.encode(new Message.ClassRequest(1, Message.ClassRequest.CLASS, "../../etc/passwd", null)),
                Protocol.encode(new Message.ClassRequest(2, (byte) 7, "java/lang/String.class", "00")),
                Protocol.encode(new Message.Credit(-3)),
                Protocol.encode(new Message.Credit(Integer.MAX_VALUE)),
                Protocol.encode(new Message.Ping()),
                Protocol.encode(new Message.Error("err\nor")),
                Protocol.encode(new Message.Bye("")));
    }

    private static byte[] mutate(Random random, byte[] valid) {
        byte[] m = valid.clone();
        switch (random.nextInt(3)) {
            case 0 -> {
                for (int i = 0; i < 1 + random.nextInt(4); i++) {
                    m[random.nextInt(m.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> m = java.util.Arrays.copyOf(m, random.nextInt(m.length)); // truncated
            default -> { // sent as it is
            }
        }
        return m;
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
