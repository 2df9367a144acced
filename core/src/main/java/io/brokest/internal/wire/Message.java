package io.brokest.internal.wire;

/**
 * The messages of the Brokest protocol. Each is one ZeroMQ frame; see {@link Protocol} for the
 * layout and the conversation. Byte-array fields are owned by the message once built.
 */
public sealed interface Message {

    /**
     * Client to worker, first on every connection (ZeroMQ resends it on each reconnect). {@code
     * maxMessageBytes} is the largest message the client accepts: the worker fails a bigger result
     * rather than send it (the client's socket would drop the connection).
     */
    record Hello(long sessionHi, long sessionLo, String clientName, int heartbeatMillis, int maxMessageBytes)
            implements Message {
    }

    /** Worker to client: who the worker is, its epoch (new after each restart) and capacity. */
    record Welcome(String workerId, long epoch, int capacity, int heartbeatMillis, int maxMessageBytes)
            implements Message {
    }

    /** Client to worker: run this task. The payload is the Kryo-serialized task. */
    record Submit(long taskId, int attempt, long timeoutMillis, byte[] payload) implements Message {
    }

    /** Worker to client: a task ended. The payload depends on the status. */
    record Result(long taskId, int attempt, byte status, byte[] payload) implements Message {
        /** Payload is the Kryo-serialized return value. */
        public static final byte OK = 0;
        /** The task threw; payload is an encoded throwable (see ThrowableCodec). */
        public static final byte TASK_FAILED = 1;
        /** Brokest failed to read the task or write its result; payload is an encoded throwable. */
        public static final byte ERROR = 2;
        /** The task was cancelled or timed out on the worker; payload is empty. */
        public static final byte CANCELLED = 3;
        /** The worker refused the task (draining or over a limit); send it elsewhere. */
        public static final byte REJECTED = 4;
    }

    /**
     * Worker to client: send me the bytes of this class or resource. {@code knownHash} is the SHA-256
     * of bytes the worker already holds under this name (from any client), or null.
     */
    record ClassRequest(long requestId, byte kind, String name, String knownHash) implements Message {
        public static final byte CLASS = 0;
        public static final byte RESOURCE = 1;
    }

    /**
     * Client to worker: the bytes asked for with their SHA-256, or found=false. When the hash equals
     * the request's known hash the bytes are left out (empty): the worker already has them.
     */
    record ClassData(long requestId, boolean found, String hash, byte[] bytes) implements Message {
    }

    /**
     * Worker to client: from now on, hold at most this many of your tasks here at once (it replaces the
     * capacity of WELCOME). Sent when the time the client's tasks take calls for more or less prefetch.
     */
    record Credit(int credit) implements Message {
    }

    /** Client to worker: stop running this task (interrupts it). */
    record Cancel(long taskId) implements Message {
    }

    /** Either way: I am alive. Sent when a peer has had nothing else from us for a heartbeat interval. */
    record Ping() implements Message {
    }

    /** Client to worker: this session ends. Worker to client: this worker drains, send no more tasks. */
    record Bye(String reason) implements Message {
    }

    /** Worker to client: the protocol was broken (bad version, no HELLO); a human-readable reason. */
    record Error(String reason) implements Message {
    }
}
