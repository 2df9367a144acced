package io.brokest.internal.worker;

import io.brokest.internal.util.Hashes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Class and resource bytes shared by all sessions, keyed by SHA-256 of their content. Two clients
 * that ship the same library class share one copy of its bytes; each still defines it in its own
 * loader, so versions never clash. Bounded by total size, least recently used first out.
 *
 * <p>Thread-safe.
 */
final class ContentStore {
    private final long maxBytes;
    private long bytes;
    private final LinkedHashMap<String, byte[]> byHash = new LinkedHashMap<>(64, 0.75f, true);
    private final Map<String, String> latestHashByName = new java.util.HashMap<>();

    ContentStore(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Stores the bytes (or finds an equal copy) and returns the canonical copy and its hash. */
    synchronized Map.Entry<String, byte[]> intern(byte[] content) {
        String hash = Hashes.sha256(content);
        byte[] existing = byHash.get(hash);
        if (existing != null) {
            return Map.entry(hash, existing);
        }
        byHash.put(hash, content);
        bytes += content.length;
        var it = byHash.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            var eldest = it.next();
            if (eldest.getKey().equals(hash)) {
                break;
            }
            bytes -= eldest.getValue().length;
            it.remove();
        }
        return Map.entry(hash, content);
    }

    synchronized byte[] get(String hash) {
        return byHash.get(hash);
    }

    /** Remembers that a client sent these bytes under this name, so the next client need not resend them. */
    synchronized void rememberName(String name, String hash) {
        latestHashByName.put(name, hash);
    }

    /** Forgets which bytes were last stored under this name (they were evicted), so they are asked for again. */
    synchronized void forgetName(String name) {
        latestHashByName.remove(name);
    }

    /** The hash of the bytes last stored under this name, if they are still held; else null. */
    synchronized String knownHash(String name) {
        String hash = latestHashByName.get(name);
        if (hash != null && !byHash.containsKey(hash)) {
            latestHashByName.remove(name);
            return null;
        }
        return hash;
    }

    synchronized int size() {
        return byHash.size();
    }
}
