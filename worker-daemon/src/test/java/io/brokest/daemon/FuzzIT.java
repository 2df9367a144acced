package io.brokest.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.brokest.Brokest;
import io.brokest.internal.wire.Message;
import io.brokest.internal.wire.Protocol;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Throws tens of thousands of bad frames and handshakes at an (insecure, loopback) daemon: raw TCP
 * garbage, raw ZMTP greetings with broken or oversized frames, and well-formed ZeroMQ frames holding
 * random or mutated Brokest messages. Afterwards a well-behaved client's tasks still succeed, and the
 * daemon's resident memory stops growing: a second identical round adds little to the first.
 * Seeded, so a failure can be replayed; bounded in count and time.
 */
@Timeout(150)
class FuzzIT {
    private static final int MAX_MESSAGE = 1 << 20;
    private static final long SEED = Long.getLong("brokest.fuzz.seed", 20261202L);

    private final Map<String, Integer> counts = new TreeMap<>();

    @Test
    void garbageCannotHurtTheWorkerNorItsOtherClients() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.startReady("--threads", "4", "--max-message-size",
                Integer.toString(MAX_MESSAGE));
             Brokest trusted = Brokest.builder().workers(daemon.endpoint()).name("trusted").maxMessageBytes(MAX_MESSAGE)
                     .build()) {
            int port = Integer.parseInt(daemon.endpoint().substring(daemon.endpoint().lastIndexOf(':') + 1));
            runTrustedTasks(trusted, 200);
            long before = rssKib(daemon.pid());
            Random random = new Random(SEED);
            long start = System.nanoTime();

            fuzzRound(random, daemon, trusted, port);
            long afterFirst = rssKib(daemon.pid());

            fuzzRound(random, daemon, trusted, port);
            long afterSecond = rssKib(daemon.pid());

            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            System.out.printf("fuzz (seed %d, %d s): %s%n", SEED, seconds, counts);
            System.out.printf("daemon VmRSS: %d MiB before, %d MiB after round 1, %d MiB after round 2%n",
                    before / 1024, afterFirst / 1024, afterSecond / 1024);
            assertThat(daemon.process().isAlive()).as(daemon.output()).isTrue();
            assertThat(daemon.output()).doesNotContain("OutOfMemoryError").doesNotContain("socket loop failed");
            assertThat(afterSecond - afterFirst).as("growth in the second round, KiB").isLessThan(48 * 1024);
            assertThat(afterSecond - before).as("growth overall, KiB").isLessThan(192 * 1024);
        }
    }

    @Test
    void framesWithANegativeOrHugeSizeDoNotStallTheWorker() throws Exception {
        // Packets that, without the SafeAllocator workaround, stopped JeroMQ's I/O thread for good: a
        // ZMTP frame whose 8-byte size casts to a negative int (100% CPU spin), and one announcing
        // ~1.8 GB while the connection is set up, when the max message size is not yet applied (OOM).
        try (DaemonProcess daemon = DaemonProcess.startReady("--threads", "1");
             Brokest client = Brokest.builder().workers(daemon.endpoint()).build()) {
            int port = Integer.parseInt(daemon.endpoint().substring(daemon.endpoint().lastIndexOf(':') + 1));
            assertThat(client.submit(() -> "before").get(30, TimeUnit.SECONDS)).isEqualTo("before");
            ByteBuffer packet = ByteBuffer.allocate(256);
            packet.put(greeting("NULL", 3, 0)).put(ready(new Random(1)));
            packet.put((byte) 0x02).putLong(0x8000_0000_8000_0000L).put(new byte[64]);
            for (int i = 0; i < 3; i++) {
                sendRaw(port, Arrays.copyOf(packet.array(), packet.position()), "negative size");
            }
            ByteBuffer huge = ByteBuffer.allocate(128);
            huge.put(greeting("NULL", 3, 0)).put((byte) 0x06).putLong(0x7000_0000L).put(new byte[32]);
            for (int i = 0; i < 3; i++) {
                sendRaw(port, Arrays.copyOf(huge.array(), huge.position()), "huge size during the handshake");
            }
            for (int i = 0; i < 20; i++) {
                int k = i;
                assertThat(client.submit(() -> k).get(30, TimeUnit.SECONDS)).isEqualTo(k);
            }
        }
    }

    private void fuzzRound(Random random, DaemonProcess daemon, Brokest trusted, int port) throws Exception {
        rawTcpGarbage(random, port, 400);
        stillServing(daemon, trusted, "raw TCP garbage");
        rawZmtp(random, port, 400);
        stillServing(daemon, trusted, "raw ZMTP");
        zmqFrames(random, daemon.endpoint(), 4, 5_000);
        stillServing(daemon, trusted, "ZeroMQ frames with bad Brokest messages");
    }

    /** The trusted client's tasks succeed; if not, the failure carries the daemon's threads, to see what hangs. */
    private static void stillServing(DaemonProcess daemon, Brokest trusted, String after) throws Exception {
        try {
            runTrustedTasks(trusted, 100);
        } catch (Exception | AssertionError e) {
            Process jstack = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstack").toString(),
                    Long.toString(daemon.pid())).redirectErrorStream(true).start();
            String threads = new String(jstack.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            throw new AssertionError("the trusted client's tasks failed after " + after + ": " + e + "\ndaemon threads:\n"
                    + threads, e);
        }
    }

    private void count(String kind) {
        counts.merge(kind, 1, Integer::sum);
    }

    private static void runTrustedTasks(Brokest client, int n) throws Exception {
        List<CompletableFuture<Integer>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i;
            futures.add(client.submit(() -> k + 1));
        }
        for (int i = 0; i < n; i++) {
            assertThat(futures.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(i + 1);
        }
    }

    private static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    // ---- raw TCP: not even ZeroMQ ----------------------------------------------------------------

    private void rawTcpGarbage(Random random, int port, int connections) {
        for (int i = 0; i < connections; i++) {
            byte[] junk = new byte[random.nextInt(1024)];
            random.nextBytes(junk);
            if (i % 2 == 0 && junk.length > 0) {
                junk[0] = (byte) 0xFF; // looks like the start of a ZMTP signature
            }
            sendRaw(port, junk, "tcp garbage");
        }
    }

    // ---- raw ZMTP: greetings and frames a real peer would never send -----------------------------

    private void rawZmtp(Random random, int port, int connections) {
        String[] mechanisms = {"NULL", "PLAIN", "CURVE", "GSSAPI", "XYZZY"};
        for (int i = 0; i < connections; i++) {
            ByteBuffer out = ByteBuffer.allocate(8192);
            int variant = i % 6;
            String mechanism = variant == 0 ? mechanisms[random.nextInt(mechanisms.length)] : "NULL";
            out.put(greeting(mechanism, variant == 1 ? random.nextInt(256) : 3, random.nextInt(2)));
            String kind;
            switch (variant) {
                case 0 -> kind = "zmtp greeting with mechanism " + mechanism;
                case 1 -> kind = "zmtp greeting with a random version";
                case 2 -> {
                    out.put(ready(random));
                    out.put((byte) 0x02).putLong(MAX_MESSAGE * 4L); // a frame over the limit
                    kind = "zmtp frame announcing 4x the max size";
                }
                case 3 -> {
                    out.put(ready(random));
                    out.put((byte) 0x02).putLong(MAX_MESSAGE); // just within it, never sent
                    out.put(new byte[100]);
                    kind = "zmtp frame announcing the max size, truncated";
                }
                case 4 -> {
                    out.put(ready(random));
                    for (int f = 0; f < 20; f++) {
                        byte[] body = new byte[random.nextInt(200)];
                        random.nextBytes(body);
                        out.put((byte) (random.nextInt(8))).put((byte) body.length).put(body);
                    }
                    out.put((byte) 0x02).putLong(random.nextLong()); // any 8-byte size, negative ones too
                    kind = "zmtp random commands and frames";
                }
                default -> {
                    byte[] junk = new byte[random.nextInt(2000)];
                    random.nextBytes(junk);
                    out.put(junk);
                    kind = "zmtp greeting then garbage";
                }
            }
            byte[] bytes = Arrays.copyOf(out.array(), out.position());
            if (random.nextInt(4) == 0) {
                bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8)); // one bit flipped
                kind += " (bit-flipped)";
            }
            sendRaw(port, bytes, kind);
        }
    }

    private static byte[] greeting(String mechanism, int major, int minor) {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.put((byte) 0xFF).put(new byte[7]).put((byte) 1).put((byte) 0x7F);
        b.put((byte) major).put((byte) minor);
        b.put(Arrays.copyOf(mechanism.getBytes(StandardCharsets.US_ASCII), 20));
        b.put((byte) 0);
        return b.array();
    }

    private static byte[] ready(Random random) {
        ByteBuffer body = ByteBuffer.allocate(256);
        body.put((byte) 5).put("READY".getBytes(StandardCharsets.US_ASCII));
        byte[] name = "Socket-Type".getBytes(StandardCharsets.US_ASCII);
        byte[] value = (random.nextBoolean() ? "DEALER" : "ROUTERX").getBytes(StandardCharsets.US_ASCII);
        body.put((byte) name.length).put(name).putInt(random.nextInt(10) == 0 ? 1_000_000 : value.length).put(value);
        ByteBuffer frame = ByteBuffer.allocate(2 + body.position());
        frame.put((byte) 0x04).put((byte) body.position()).put(body.array(), 0, body.position());
        return frame.array();
    }

    private void sendRaw(int port, byte[] bytes, String kind) {
        try (Socket s = new Socket()) {
            s.setSoLinger(true, 0); // reset on close: thousands of connections leave no TIME_WAIT behind
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            kind += " (peer closed first)";
        }
        count(kind);
    }

    // ---- ZeroMQ frames with bad Brokest messages -------------------------------------------------

    private void zmqFrames(Random random, String endpoint, int sockets, int framesEach) {
        List<byte[]> valid = validMessages(random);
        try (ZContext ctx = new ZContext()) {
            for (int s = 0; s < sockets; s++) {
                ZMQ.Socket dealer = ctx.createSocket(SocketType.DEALER);
                dealer.setLinger(0);
                dealer.setSndHWM(framesEach * 2);
                dealer.setMaxMsgSize(MAX_MESSAGE * 2L);
                dealer.connect(endpoint);
                for (int i = 0; i < framesEach; i++) {
                    int pick = random.nextInt(100);
                    if (pick < 20) {
                        byte[] junk = new byte[random.nextInt(300)];
                        random.nextBytes(junk);
                        send(dealer, junk, "zmq random bytes");
                    } else if (pick < 40) {
                        byte[] body = new byte[3 + random.nextInt(100)];
                        random.nextBytes(body);
                        body[0] = (byte) Protocol.MAGIC;
                        body[1] = (byte) Protocol.VERSION;
                        body[2] = (byte) random.nextInt(16);
                        send(dealer, body, "zmq brokest header, random body");
                    } else if (pick < 75) {
                        send(dealer, mutate(random, valid.get(random.nextInt(valid.size()))), "zmq mutated message");
                    } else if (pick < 85) {
                        dealer.send(valid.get(random.nextInt(valid.size())), ZMQ.SNDMORE | ZMQ.DONTWAIT);
                        send(dealer, mutate(random, valid.get(random.nextInt(valid.size()))), "zmq two-frame message");
                    } else if (pick < 87) {
                        send(dealer, Protocol.encode(new Message.Hello(random.nextLong(), random.nextLong(),
                                "fuzz-" + random.nextInt(1000), random.nextInt(), random.nextInt())), "zmq HELLO, random session");
                    } else if (pick < 97) {
                        byte[] payload = new byte[random.nextInt(2000)];
                        random.nextBytes(payload);
                        send(dealer, Protocol.encode(new Message.Submit(random.nextInt(1000), 1,
                                random.nextInt(3) * 1000L, payload)), "zmq SUBMIT, random Kryo payload");
                    } else if (pick < 98) {
                        send(dealer, new byte[MAX_MESSAGE + 2048], "zmq frame over the max size");
                    } else {
                        send(dealer, Protocol.encode(new Message.Ping()), "zmq PING");
                    }
                }
                // ends this peer's session, so class fetches its tasks wait on fail now instead of timing out
                dealer.send(Protocol.encode(new Message.Bye("fuzz done")), 0);
                ctx.destroySocket(dealer);
            }
        }
    }

    private void send(ZMQ.Socket dealer, byte[] frame, String kind) {
        dealer.send(frame, ZMQ.DONTWAIT);
        count(kind);
    }

    private static List<byte[]> validMessages(Random random) {
        byte[] payload = new byte[64];
        random.nextBytes(payload);
        return List.of(
                Protocol.encode(new Message.Hello(1, 2, "fuzz", 1000, 1 << 20)),
                Protocol.encode(new Message.Submit(1, 1, 0, payload)),
                Protocol.encode(new Message.ClassData(1, true, "00", payload)),
                Protocol.encode(new Message.ClassData(2, false, null, new byte[0])),
                Protocol.encode(new Message.Cancel(1)),
                Protocol.encode(new Message.Ping()),
                Protocol.encode(new Message.Bye("bye")),
                Protocol.encode(new Message.Result(1, 1, Message.Result.OK, payload)),
                Protocol.encode(new Message.Welcome("w", 1, 4, 1000, 1 << 20)),
                Protocol.encode(new Message.ClassRequest(1, Message.ClassRequest.CLASS, "a.B", null)),
                Protocol.encode(new Message.Error("err")));
    }

    private static byte[] mutate(Random random, byte[] valid) {
        byte[] m = valid.clone();
        switch (random.nextInt(5)) {
            case 0 -> {
                for (int i = 0; i < 1 + random.nextInt(4); i++) {
                    m[random.nextInt(m.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> m = Arrays.copyOf(m, random.nextInt(m.length)); // truncated
            case 2 -> {
                byte[] tail = new byte[1 + random.nextInt(64)];
                random.nextBytes(tail);
                m = ByteBuffer.allocate(m.length + tail.length).put(m).put(tail).array(); // extended
            }
            case 3 -> {
                if (m.length >= 7) { // a length or id field set to an extreme
                    int at = 3 + random.nextInt(m.length - 6);
                    ByteBuffer.wrap(m).putInt(at, random.nextBoolean() ? Integer.MAX_VALUE : -2);
                }
            }
            default -> m[2] = (byte) random.nextInt(256); // another message type
        }
        return m;
    }
}
