package io.brokest.internal.wire;

/**
 * The Brokest wire format, in one place.
 *
 * <h2>Sockets</h2>
 * Each worker binds one ROUTER socket. Each client connects one DEALER socket per worker; the
 * client's agent thread owns all of them. Every Brokest message is exactly one ZeroMQ frame; one
 * ZeroMQ message carries one or more of them (the ROUTER adds and strips the routing-id frame), which
 * the receiver reads in order as if they had come one by one. A worker sends the results and other
 * messages ready for one client together, so a burst costs the JeroMQ I/O threads one wake-up, not
 * one per result. Because the DEALER's "hello message" option resends HELLO on every
 * reconnect, a worker that restarts learns who its clients are without any extra round trip.
 *
 * <h2>Frame layout</h2>
 * <pre>
 *   byte 0      magic 0xB7
 *   byte 1      protocol version ({@link #VERSION})
 *   byte 2      message type (below)
 *   bytes 3..   body, big-endian; strings are int length (-1 = null) + UTF-8; byte arrays int length + bytes;
 *               a trailing payload takes the rest of the frame
 * </pre>
 *
 * <h2>Messages</h2>
 * <pre>
 *  type  name        direction  body
 *   1    HELLO       C to W     session id (2 longs), client name (string), heartbeat ms (int),
 *                               largest message the client accepts (int)
 *   2    WELCOME     W to C     worker id (string), epoch (long), capacity (int), heartbeat ms (int),
 *                               largest message the worker accepts (int)
 *   3    SUBMIT      C to W     task id (long), attempt (int), timeout ms (long, 0 = none), Kryo payload (rest)
 *   4    RESULT      W to C     task id (long), attempt (int), status (byte), payload (rest)
 *   5    CLASS_REQ   W to C     request id (long), kind (byte: 0 class, 1 resource), name (string),
 *                               SHA-256 of bytes the worker already has for that name (string or null)
 *   6    CLASS_DATA  C to W     request id (long), found (byte), SHA-256 (string), bytes (rest; empty when
 *                               the hash is the one the worker said it has)
 *   7    CANCEL      C to W     task id (long)
 *   8    PING        both       (empty)
 *   9    BYE         both       reason (string)
 *  10    ERROR       W to C     reason (string)
 *  11    CREDIT      W to C     credit (int): the new capacity for this client, replacing WELCOME's
 * </pre>
 *
 * <h2>Conversation</h2>
 * HELLO, answered by WELCOME. The client then sends at most {@code capacity} SUBMITs that have no
 * RESULT yet (credit-based flow control: each RESULT returns one credit). The worker
 * may change that number with CREDIT, as the time the client's tasks take calls for more or less
 * prefetch; a client holding more than a lowered credit sends nothing until it is below it. While a task's classes
 * load, the worker sends CLASS_REQ and the task's thread waits for CLASS_DATA. Each side sends PING
 * when it has sent nothing else for a heartbeat interval; any message counts as a sign of life.
 *
 * <h2>Versioning</h2>
 * The version byte changes whenever a message's layout changes. A worker answers a message of another
 * version with ERROR naming both versions and otherwise ignores it; unknown types are dropped.
 */
public final class Protocol {
    public static final int MAGIC = 0xB7;
    /**
     * 3: HELLO and WELCOME carry each side's largest message, so neither sends what the other's socket
     * would drop the connection for. 2: a ZeroMQ message may carry several Brokest messages.
     */
    public static final int VERSION = 3;

    static final int HELLO = 1;
    static final int WELCOME = 2;
    static final int SUBMIT = 3;
    static final int RESULT = 4;
    static final int CLASS_REQ = 5;
    static final int CLASS_DATA = 6;
    static final int CANCEL = 7;
    static final int PING = 8;
    static final int BYE = 9;
    static final int ERROR = 10;
    static final int CREDIT = 11;

    /**
     * Bounds on one ZeroMQ message of several frames, on either side: many small frames share a
     * wake-up, and a big frame goes alone.
     */
    public static final int MAX_FRAMES_PER_MESSAGE = 64;
    public static final int MAX_BATCH_BYTES = 256 * 1024;

    private static final int HEADER = 3;

    private Protocol() {
    }

    /** Encodes a message as one frame. */
    public static byte[] encode(Message message) {
        if (message instanceof Message.Submit m) {
            return header(SUBMIT, 20 + m.payload().length).putLong(m.taskId()).putInt(m.attempt())
                    .putLong(m.timeoutMillis()).putRaw(m.payload(), 0, m.payload().length).toByteArray();
        } else if (message instanceof Message.Result m) {
            return header(RESULT, 13 + m.payload().length).putLong(m.taskId()).putInt(m.attempt())
                    .putByte(m.status()).putRaw(m.payload(), 0, m.payload().length).toByteArray();
        } else if (message instanceof Message.Ping) {
            return header(PING, 0).toByteArray();
        } else if (message instanceof Message.Hello m) {
            return header(HELLO, 64).putLong(m.sessionHi()).putLong(m.sessionLo()).putString(m.clientName())
                    .putInt(m.heartbeatMillis()).putInt(m.maxMessageBytes()).toByteArray();
        } else if (message instanceof Message.Welcome m) {
            return header(WELCOME, 64).putString(m.workerId()).putLong(m.epoch()).putInt(m.capacity())
                    .putInt(m.heartbeatMillis()).putInt(m.maxMessageBytes()).toByteArray();
        } else if (message instanceof Message.ClassRequest m) {
            return header(CLASS_REQ, 128).putLong(m.requestId()).putByte(m.kind()).putString(m.name())
                    .putString(m.knownHash()).toByteArray();
        } else if (message instanceof Message.ClassData m) {
            return header(CLASS_DATA, 80 + m.bytes().length).putLong(m.requestId()).putBoolean(m.found())
                    .putString(m.hash()).putRaw(m.bytes(), 0, m.bytes().length).toByteArray();
        } else if (message instanceof Message.Cancel m) {
            return header(CANCEL, 8).putLong(m.taskId()).toByteArray();
        } else if (message instanceof Message.Credit m) {
            return header(CREDIT, 4).putInt(m.credit()).toByteArray();
        } else if (message instanceof Message.Bye m) {
            return header(BYE, 32).putString(m.reason()).toByteArray();
        } else if (message instanceof Message.Error m) {
            return header(ERROR, 64).putString(m.reason()).toByteArray();
        }
        throw new IllegalArgumentException("unknown message " + message);
    }

    private static WireWriter header(int type, int bodySize) {
        return new WireWriter(HEADER + bodySize).putByte(MAGIC).putByte(VERSION).putByte(type);
    }

    /** The version byte of a frame, or -1 when it is too short or lacks the magic byte. */
    public static int versionOf(byte[] frame) {
        if (frame == null || frame.length < HEADER || (frame[0] & 0xff) != MAGIC) {
            return -1;
        }
        return frame[1] & 0xff;
    }

    /**
     * Decodes one frame.
     *
     * @throws MalformedMessageException if it is not a well-formed message of this version
     */
    public static Message decode(byte[] frame) throws MalformedMessageException {
        int version = versionOf(frame);
        if (version < 0) {
            throw new MalformedMessageException("not a Brokest frame (" + (frame == null ? 0 : frame.length)
                    + " bytes, no magic byte)");
        }
        if (version != VERSION) {
            throw new MalformedMessageException("protocol version " + version + " is not supported; this side speaks "
                    + VERSION + ": run the same Brokest version on clients and workers");
        }
        int type = frame[2] & 0xff;
        WireReader in = new WireReader(frame, HEADER);
        Message m;
        switch (type) {
            case SUBMIT:
                return new Message.Submit(in.getLong(), in.getInt(), in.getLong(), in.getRest());
            case RESULT:
                return new Message.Result(in.getLong(), in.getInt(), (byte) in.getByte(), in.getRest());
            case CLASS_DATA:
                return new Message.ClassData(in.getLong(), in.getBoolean(), in.getString(), in.getRest());
            case HELLO:
                m = new Message.Hello(in.getLong(), in.getLong(), in.getString(), in.getInt(), in.getInt());
                break;
            case WELCOME:
                m = new Message.Welcome(in.getString(), in.getLong(), in.getInt(), in.getInt(), in.getInt());
                break;
            case CLASS_REQ:
                m = new Message.ClassRequest(in.getLong(), (byte) in.getByte(), in.getString(), in.getString());
                break;
            case CANCEL:
                m = new Message.Cancel(in.getLong());
                break;
            case CREDIT:
                m = new Message.Credit(in.getInt());
                break;
            case PING:
                m = new Message.Ping();
                break;
            case BYE:
                m = new Message.Bye(in.getString());
                break;
            case ERROR:
                m = new Message.Error(in.getString());
                break;
            default:
                throw new MalformedMessageException("unknown message type " + type);
        }
        in.expectEnd();
        return m;
    }
}
