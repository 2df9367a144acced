package io.brokest.internal.worker;

import io.brokest.internal.serial.KryoCodec;
import io.brokest.internal.util.Mailbox;
import io.brokest.internal.wire.Message;
import io.brokest.internal.wire.Protocol;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client as a worker sees it: its class loader and Kryo codec, its running tasks, and the class
 * fetches its tasks are waiting on. A session outlives reconnects (the client's session id stays the
 * same); it ends when the client says BYE or stops sending heartbeats.
 *
 * <p>Fields marked "socket thread" are touched only by {@link WorkerLoop}; the rest are thread-safe.
 */
final class Session implements ClassSource {
    final String key;
    final String clientName;
    final ClientClassLoader loader;
    final KryoCodec codec;
    final Map<Long, RunningTask> running = new ConcurrentHashMap<>();
    final ClientQuota quota;
    /** The credit this client is granted, moved by how long its tasks take. */
    final AdaptiveCredit credit;

    /** Socket thread: the routing id of the client's current connection. */
    byte[] routingId;
    /** Socket thread: when we last heard from this client. */
    long lastHeardNanos;
    /** Socket thread: when we last sent this client anything. */
    long lastSentNanos;
    /** Socket thread: the client's heartbeat interval. */
    long heartbeatNanos;

    private final Map<Long, CompletableFuture<Message.ClassData>> fetches = new ConcurrentHashMap<>();
    private final AtomicLong fetchIds = new AtomicLong();
    private final Mailbox<Outgoing> outbox;
    private final ContentStore store;
    private final long fetchTimeoutMillis;
    private final int maxClassBytes;
    private volatile boolean closed;

    /** Bounds on what one session may make this worker fetch and hold (class loader, resources, misses). */
    static final int MAX_FETCHES = 20_000;
    static final long MAX_FETCHED_BYTES = 256L * 1024 * 1024;
    private final AtomicLong fetchCount = new AtomicLong();
    private final AtomicLong fetchedBytes = new AtomicLong();

    Session(String key, String clientName, Mailbox<Outgoing> outbox, ContentStore store, int maxMessageBytes,
            long fetchTimeoutMillis, int maxTasks, AdaptiveCredit credit) {
        this.quota = new ClientQuota(maxTasks);
        this.credit = credit;
        this.key = key;
        this.clientName = clientName;
        this.outbox = outbox;
        this.store = store;
        this.fetchTimeoutMillis = fetchTimeoutMillis;
        this.maxClassBytes = maxMessageBytes;
        this.loader = new ClientClassLoader("brokest-client-" + clientName, this, store, SharedApi.CLASSES);
        this.codec = new KryoCodec(loader, maxMessageBytes);
    }

    void send(Message message) {
        outbox.post(Outgoing.to(this, Protocol.encode(message)));
    }

    /** As {@link #send}, for a message that may wait up to {@code maxDelayNanos} for the socket thread. */
    void send(Message message, long maxDelayNanos) {
        outbox.post(Outgoing.to(this, Protocol.encode(message)), maxDelayNanos);
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public byte[] fetch(byte kind, String name) throws ClassFetchException {
        if (closed) {
            throw new ClassFetchException("client " + clientName + " has gone away");
        }
        if (fetchCount.incrementAndGet() > MAX_FETCHES) {
            throw new ClassFetchException("client " + clientName + " made this worker fetch more than " + MAX_FETCHES
                    + " classes and resources in one session; the worker refuses more");
        }
        String known = store.knownHash(name);
        long id = fetchIds.incrementAndGet();
        CompletableFuture<Message.ClassData> reply = new CompletableFuture<>();
        fetches.put(id, reply);
        Message.ClassData data;
        try {
            send(new Message.ClassRequest(id, kind, name, known));
            data = reply.get(fetchTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new ClassFetchException("client " + clientName + " did not send " + name + " within "
                    + fetchTimeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClassFetchException("interrupted while fetching " + name + " from client " + clientName);
        } catch (ExecutionException e) {
            throw new ClassFetchException(e.getCause().getMessage());
        } finally {
            fetches.remove(id);
        }
        if (!data.found()) {
            return null;
        }
        if (data.bytes().length == 0 && data.hash() != null && data.hash().equals(known)) {
            byte[] held = store.get(known);
            if (held != null) {
                return held;
            }
            // evicted while we asked: ask again, this time for the bytes
            store.forgetName(name);
            return fetch(kind, name);
        }
        if (data.bytes().length > maxClassBytes) {
            throw new ClassFetchException(name + " is " + data.bytes().length + " bytes, over the limit of "
                    + maxClassBytes);
        }
        if (fetchedBytes.addAndGet(data.bytes().length) > MAX_FETCHED_BYTES) {
            throw new ClassFetchException("client " + clientName + " sent this worker more than " + MAX_FETCHED_BYTES
                    + " bytes of classes and resources in one session; the worker refuses more");
        }
        var stored = store.intern(data.bytes());
        if (data.hash() != null && !data.hash().equals(stored.getKey())) {
            throw new ClassFetchException("the bytes of " + name + " from client " + clientName
                    + " do not match their hash; the message was corrupted");
        }
        store.rememberName(name, stored.getKey());
        return stored.getValue();
    }

    /** Socket thread: a CLASS_DATA arrived. */
    void classDataArrived(Message.ClassData data) {
        CompletableFuture<Message.ClassData> waiting = fetches.get(data.requestId());
        if (waiting != null) {
            waiting.complete(data);
        }
    }

    /** Ends the session: cancels its tasks and fails the fetches its tasks wait on. */
    void close(String reason) {
        closed = true;
        quota.close();
        for (RunningTask task : running.values()) {
            task.cancel(false, "its client " + reason);
        }
        for (CompletableFuture<Message.ClassData> f : fetches.values()) {
            f.completeExceptionally(new ClassFetchException("client " + clientName + " " + reason));
        }
    }

    @Override
    public String describe() {
        return clientName;
    }

    boolean isRoutedTo(byte[] id) {
        return Arrays.equals(routingId, id);
    }
}
