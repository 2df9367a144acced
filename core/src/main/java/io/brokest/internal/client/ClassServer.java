package io.brokest.internal.client;

import io.brokest.internal.util.Hashes;
import io.brokest.internal.wire.Message;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers a worker's request for a class file or resource with the bytes this client's class loader
 * sees: application classes and third-party jars alike. Bytes and their SHA-256 are cached, since
 * every worker asks for the same classes. When the worker already holds bytes with the same hash,
 * only the hash is sent back.
 *
 * <p>Thread-safe; runs on a helper thread, never the agent thread, since reading jars is I/O.
 */
final class ClassServer {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClassServer.class);
    private record Entry(String hash, byte[] bytes) {
    }

    private static final Entry MISSING = new Entry(null, new byte[0]);

    private final ClassLoader loader;
    private final int maxBytes;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    ClassServer(ClassLoader loader, int maxBytes) {
        this.loader = loader;
        this.maxBytes = maxBytes;
    }

    Message.ClassData answer(Message.ClassRequest request) {
        // a failed read returns null, which computeIfAbsent does not keep: the next request tries again
        Entry entry = cache.computeIfAbsent(request.kind() + ":" + request.name(), k -> read(request.name()));
        if (entry == null || entry == MISSING) {
            return new Message.ClassData(request.requestId(), false, null, new byte[0]);
        }
        boolean workerHasIt = entry.hash.equals(request.knownHash());
        return new Message.ClassData(request.requestId(), true, entry.hash, workerHasIt ? new byte[0] : entry.bytes);
    }

    /** The bytes, MISSING when the loader has none, or null when reading them failed (not cached). */
    private Entry read(String name) {
        if (name == null || name.isEmpty() || name.startsWith("/") || name.contains("..")) {
            return MISSING;
        }
        try (InputStream in = loader.getResourceAsStream(name)) {
            if (in == null) {
                return MISSING;
            }
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                LOG.warn("a worker asked for {}, which is larger than maxMessageBytes ({} bytes); it cannot be "
                        + "shipped and the task will fail with ClassNotFoundException. Raise maxMessageBytes on "
                        + "the client and the workers", name, maxBytes);
                return MISSING;
            }
            return new Entry(Hashes.sha256(bytes), bytes);
        } catch (IOException | RuntimeException e) {
            // a jar replaced under a running client, or a class loader that was closed (an undeployed
            // web application's): the worker's task fails with ClassNotFoundException, so say why here
            LOG.warn("a worker asked for {}, and this client's class loader failed to read it: {}; the task that "
                    + "needs it fails with ClassNotFoundException", name, e.toString());
            return null;
        }
    }
}
