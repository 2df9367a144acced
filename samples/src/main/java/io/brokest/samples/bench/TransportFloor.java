package io.brokest.samples.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The sleep table's transport floor: the least traffic any remote executor built on ZeroMQ adds to a
 * task, which is one message out and one back. A local executor's tasks call {@link #taskEnded} as
 * they end; a relay thread then does one raw DEALER round trip to the echo server per task ended,
 * several at once when several ended meanwhile, as a busy worker's results would go. Comparing that
 * executor with the plain one measures what the transport alone costs the sleepers on this host:
 * the relay's thread hand-offs, its JeroMQ I/O threads' and the echo server's, and the loopback TCP
 * stack's work, with none of Brokest's own.
 */
final class TransportFloor implements AutoCloseable {
    private final ZContext context = new ZContext(1);
    private final AtomicInteger ended = new AtomicInteger();
    private final AtomicLong roundTrips = new AtomicLong();
    private final CountDownLatch connected = new CountDownLatch(1);
    private final Thread relay;
    private volatile boolean running = true;

    /** Connects to the echo server at {@code echoEndpoint} with frames of {@code frameBytes}. */
    TransportFloor(String echoEndpoint, int frameBytes) throws InterruptedException {
        byte[] frame = new byte[Math.max(1, frameBytes)];
        frame[0] = EchoServer.RAW;
        relay = new Thread(() -> relay(echoEndpoint, frame), "transport-floor-relay");
        relay.setDaemon(true);
        relay.start();
        if (!connected.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the transport floor's relay did not start");
        }
    }

    /**
     * Round trips in bursts of 1,000 for {@code millis}, so that the JIT has compiled the relay's and the
     * echo server's paths before anything is timed.
     */
    void warmUp(long millis) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < until) {
            long target = roundTrips() + 1_000;
            for (int i = 0; i < 1_000; i++) {
                taskEnded();
            }
            if (!awaitRoundTrips(target, 60_000)) {
                throw new IllegalStateException("the echo server did not answer the transport floor's warm-up");
            }
        }
    }

    /** A task of the measured executor ended: one round trip is owed for it. */
    void taskEnded() {
        if (ended.getAndIncrement() == 0) {
            LockSupport.unpark(relay); // it parks only when nothing is owed
        }
    }

    /** Round trips completed so far. */
    long roundTrips() {
        return roundTrips.get();
    }

    /**
     * Waits until {@code total} round trips have completed since this was created, as a caller of a
     * remote executor waits for the last result to travel back. Returns false on timeout.
     */
    boolean awaitRoundTrips(long total, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (roundTrips) {
            while (roundTrips.get() < total) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !relay.isAlive()) {
                    return false;
                }
                roundTrips.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
        return true;
    }

    private void relay(String endpoint, byte[] frame) {
        ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);
        dealer.setLinger(0);
        dealer.setReceiveTimeOut(10_000);
        dealer.connect(endpoint);
        connected.countDown();
        while (running) {
            int owed = ended.getAndSet(0);
            if (owed == 0) {
                // woken by taskEnded or close; the timeout only bounds a spurious miss, it times nothing
                LockSupport.parkNanos(100_000_000L);
                continue;
            }
            for (int i = 0; i < owed; i++) {
                dealer.send(frame, 0);
            }
            for (int i = 0; i < owed; i++) {
                if (dealer.recv(0) == null) {
                    System.err.println("  warning: the echo server did not answer the transport floor within 10 s");
                    return;
                }
            }
            synchronized (roundTrips) {
                roundTrips.addAndGet(owed);
                roundTrips.notifyAll();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        LockSupport.unpark(relay);
        relay.join(TimeUnit.SECONDS.toMillis(15));
        context.close();
    }
}
