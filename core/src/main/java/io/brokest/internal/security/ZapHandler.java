package io.brokest.internal.security;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import org.zeromq.ZMsg;

/**
 * The ZeroMQ authentication (ZAP, RFC 27) handler of a worker: ZeroMQ asks it, over
 * {@code inproc://zeromq.zap.01} in the worker's context, whether the client public key that just
 * completed a CURVE handshake may connect. It answers from {@link AuthorizedKeys}, and returns the key
 * as the connection's User-Id, which ZeroMQ then attaches to every message of that connection, so
 * the worker can re-check each message after a key is revoked.
 *
 * <p>Not {@code ZAuth}: that reads certificates from a directory, while our keys live in one
 * authorized-keys file, and answering here is a few lines. Runs on its own thread, which owns its
 * socket; it ends when asked to or when the context terminates.
 */
final class ZapHandler implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ZapHandler.class);
    static final String ENDPOINT = "inproc://zeromq.zap.01";

    private final ZContext context;
    private final AuthorizedKeys keys;
    private final RefusalLog refusals = new RefusalLog(LOG);
    private final CountDownLatch bound = new CountDownLatch(1);
    private volatile RuntimeException bindFailure;
    private volatile boolean running = true;
    private Thread thread;

    ZapHandler(ZContext context, AuthorizedKeys keys) {
        this.context = context;
        this.keys = keys;
    }

    /** Starts the handler thread and returns once it listens, so no handshake can slip past it. */
    void start() {
        thread = new Thread(this, "brokest-zap");
        thread.setDaemon(true);
        thread.start();
        try {
            bound.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the authentication handler", e);
        }
        if (bindFailure != null) {
            throw bindFailure;
        }
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        // A socket of the raw context, not tracked by ZContext: ZContext.close() would otherwise close
        // it from another thread; instead our blocking call fails with ETERM and we close it here.
        ZMQ.Socket rep;
        try {
            rep = context.getContext().socket(SocketType.REP);
            rep.setLinger(0);
            rep.bind(ENDPOINT);
        } catch (RuntimeException e) {
            bindFailure = new IllegalStateException("cannot start the authentication handler: " + e, e);
            bound.countDown();
            return;
        }
        bound.countDown();
        try {
            rep.setReceiveTimeOut(200);
            while (running) {
                ZMsg request = ZMsg.recvMsg(rep);
                if (request == null) {
                    continue; // timeout: look at the stop flag
                }
                reply(request).send(rep);
            }
        } catch (ZMQException e) {
            if (e.getErrorCode() != ZMQ.Error.ETERM.getCode()) {
                LOG.error("the authentication handler failed; new connections will not be accepted", e);
            }
        } catch (RuntimeException e) {
            LOG.error("the authentication handler failed; new connections will not be accepted", e);
        } finally {
            rep.close();
        }
    }

    private ZMsg reply(ZMsg request) {
        String version = request.popString();
        String requestId = request.popString();
        request.popString(); // domain
        String address = request.popString();
        request.popString(); // identity
        String mechanism = request.popString();
        byte[] credential = request.size() > 0 ? request.pop().getData() : new byte[0];
        String key = null;
        String refusal;
        if (!"1.0".equals(version)) {
            refusal = "unsupported ZAP version " + version;
        } else if (!"CURVE".equals(mechanism) || credential.length != 32) {
            refusal = "mechanism " + mechanism + " is not CURVE";
        } else {
            key = CurveKey.of(credential).z85();
            refusal = keys.contains(key) ? null : "key " + key + " is not in " + keys.file();
        }
        ZMsg reply = new ZMsg();
        reply.add(version == null ? "1.0" : version);
        reply.add(requestId == null ? "" : requestId);
        if (refusal == null) {
            reply.add("200");
            reply.add("OK");
            reply.add(key);
        } else {
            refusals.refused(key, "refused a client from " + address + ": " + refusal
                    + " (add its NAME.pub line to the authorized keys file to let it in)");
            reply.add("400");
            reply.add("not authorized");
            reply.add("");
        }
        reply.add(new byte[0]);
        return reply;
    }
}
