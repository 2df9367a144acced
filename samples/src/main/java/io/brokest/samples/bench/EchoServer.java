package io.brokest.samples.bench;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The benchmark's baseline: a bare JeroMQ ROUTER in its own JVM, so that raw round trips cross
 * processes just as Brokest's do. A frame starting with {@code 'R'} is echoed as it is; one starting
 * with {@code 'K'} is read with Kryo as an {@link Envelope} and answered with a new one, which is the
 * least any Kryo-based protocol does per message.
 *
 * <p>{@code java -cp brokest-samples.jar io.brokest.samples.bench.EchoServer tcp://127.0.0.1:*}
 */
public final class EchoServer {
    static final byte RAW = 'R';
    static final byte KRYO = 'K';

    /** What the Kryo baseline sends each way: an id, an attempt, a payload. */
    public static final class Envelope {
        public long id;
        public int attempt;
        public byte[] payload;
    }

    static Kryo newKryo() {
        Kryo kryo = new Kryo();
        kryo.register(Envelope.class);
        kryo.register(byte[].class);
        return kryo;
    }

    public static void main(String[] args) {
        String bind = args.length > 0 ? args[0] : "tcp://127.0.0.1:*";
        Kryo kryo = newKryo();
        Output output = new Output(256, -1);
        Input input = new Input();
        byte[] replyPayload = new byte[8];
        try (ZContext context = new ZContext(1)) {
            ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
            router.setLinger(0);
            router.setSndHWM(100_000);
            router.setRcvHWM(100_000);
            router.bind(bind);
            System.out.println("echo server ready on " + router.getLastEndpoint());
            System.out.flush();
            while (!Thread.currentThread().isInterrupted()) {
                byte[] route = router.recv();
                byte[] frame = router.recv();
                if (route == null || frame == null) {
                    break;
                }
                if (frame.length > 0 && frame[0] == KRYO) {
                    input.setBuffer(frame, 1, frame.length - 1);
                    Envelope request = kryo.readObject(input, Envelope.class);
                    Envelope reply = new Envelope();
                    reply.id = request.id;
                    reply.attempt = request.attempt;
                    reply.payload = replyPayload;
                    output.reset();
                    output.writeByte(KRYO);
                    kryo.writeObject(output, reply);
                    frame = output.toBytes();
                }
                router.send(route, ZMQ.SNDMORE);
                router.send(frame, 0);
            }
        }
    }
}
