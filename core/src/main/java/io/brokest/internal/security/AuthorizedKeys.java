package io.brokest.internal.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client public keys a worker accepts, read from a file: one Z85 key a line, optionally followed
 * by a name for logs (the rest of the line); a line starting with {@code #} is a comment ({@code #}
 * may occur inside a key, so it does not start a comment mid-line); blank lines are ignored.
 *
 * <p>The file is polled (every second by default) and re-read when its content changes, so an
 * operator adds or revokes a client by editing it, with no restart. Polling rather than a
 * {@code WatchService}, because watch events are unreliable on network and container file systems and
 * the file is tiny. On reload the rule is fail-closed: a line that does not parse is logged and
 * skipped (that key is not accepted), and a file that disappeared, or that any user may write,
 * accepts nobody until it is back or fixed. At startup either is an error instead, so it is fixed
 * before anyone depends on it (a file its group may write draws a warning).
 *
 * <p>Thread-safe: the key set is an immutable map behind a volatile field.
 */
public final class AuthorizedKeys implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuthorizedKeys.class);

    /** The result of parsing the file: the keys (Z85 to name, or "" when unnamed) and the bad lines. */
    public record Parsed(Map<String, String> keys, List<String> errors) {
    }

    private final Path file;
    private volatile Map<String, String> keys;
    private byte[] lastContent;
    /** Whether the file was last seen writable by any user (its keys are then all refused). */
    private boolean writableByOthers;
    private ScheduledExecutorService watcher;

    private AuthorizedKeys(Path file, Map<String, String> keys, byte[] content) {
        this.file = file;
        this.keys = keys;
        this.lastContent = content;
    }

    /**
     * Reads the file.
     *
     * @throws IllegalArgumentException naming the file and line when a line is not a key, or the file
     *         cannot be read
     */
    public static AuthorizedKeys load(Path file) {
        String mode = modeIfWritableBy(file, PosixFilePermission.OTHERS_WRITE);
        if (mode != null) {
            throw new IllegalArgumentException(othersMayWrite(file, mode));
        }
        mode = modeIfWritableBy(file, PosixFilePermission.GROUP_WRITE);
        if (mode != null) {
            LOG.warn("authorized keys file {} can be written by its group (mode {}): every member can let in any "
                    + "client, and so run code here. Run chmod g-w {} unless that is meant", file, mode, file);
        }
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the authorized keys file " + file + ": " + e
                    + "; create it with one client public key (a NAME.pub from keygen) a line", e);
        }
        Parsed parsed = parse(new String(content, StandardCharsets.UTF_8), file.toString());
        if (!parsed.errors().isEmpty()) {
            throw new IllegalArgumentException("the authorized keys file has errors:\n  "
                    + String.join("\n  ", parsed.errors()));
        }
        if (parsed.keys().isEmpty()) {
            LOG.warn("authorized keys file {} lists no key: no client can connect until one is added", file);
        }
        return new AuthorizedKeys(file, parsed.keys(), content);
    }

    /** The file's mode (rw-r--r-- style) if it has the given permission, else null (also where modes do not exist). */
    private static String modeIfWritableBy(Path file, PosixFilePermission permission) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            return permissions.contains(permission) ? PosixFilePermissions.toString(permissions) : null;
        } catch (IOException | UnsupportedOperationException e) {
            return null; // missing (reported when read) or no POSIX modes here
        }
    }

    private static String othersMayWrite(Path file, String mode) {
        return "the authorized keys file " + file + " can be written by any user (mode " + mode + "): anyone on this "
                + "machine could add a key and run code here. Run chmod o-w " + file;
    }

    /** Parses the text of an authorized keys file; {@code source} names it in errors. */
    public static Parsed parse(String text, String source) {
        Map<String, String> keys = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (CurveKey.isCommentOrBlank(line)) {
                continue;
            }
            String[] parts = line.split("\\s+", 2);
            try {
                CurveKey key = CurveKey.parse(parts[0], source + " line " + (i + 1));
                keys.put(key.z85(), parts.length > 1 ? parts[1] : "");
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage());
            }
        }
        return new Parsed(Map.copyOf(keys), List.copyOf(errors));
    }

    /** Whether a client with this public key (Z85) may connect. */
    public boolean contains(String z85) {
        return z85 != null && keys.containsKey(z85);
    }

    /** A readable label for a key: its name from the file when it has one, else the key. */
    public String describe(String z85) {
        String name = keys.get(z85);
        return name == null || name.isEmpty() ? z85 : name + " (" + z85 + ")";
    }

    public int size() {
        return keys.size();
    }

    public Path file() {
        return file;
    }

    /**
     * Re-reads the file if its content changed. Returns whether the key set changed. Called by the
     * watcher; tests call it directly.
     */
    public synchronized boolean reloadIfChanged() {
        String mode = modeIfWritableBy(file, PosixFilePermission.OTHERS_WRITE);
        if (mode != null) {
            // fail closed, as for a file that is gone: its content cannot be trusted while anyone may change it
            if (!writableByOthers) {
                writableByOthers = true;
                LOG.error("{}; no client is accepted until then", othersMayWrite(file, mode));
            }
            boolean changed = !keys.isEmpty();
            keys = Map.of();
            return changed;
        }
        boolean fixed = writableByOthers; // then its keys are read again, changed or not
        writableByOthers = false;
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            content = null;
        } catch (IOException e) {
            LOG.error("cannot re-read authorized keys file {}: {}; keeping the current {} key(s)", file, e, keys.size());
            return false;
        }
        if (!fixed && Arrays.equals(content, lastContent)) {
            return false;
        }
        lastContent = content;
        Map<String, String> before = keys;
        if (content == null) {
            keys = Map.of();
            LOG.error("authorized keys file {} is gone: no client is accepted until it is back", file);
        } else {
            Parsed parsed = parse(new String(content, StandardCharsets.UTF_8), file.toString());
            for (String error : parsed.errors()) {
                LOG.error("{} (that line is ignored)", error);
            }
            keys = parsed.keys();
        }
        int added = 0;
        int removed = 0;
        for (String k : keys.keySet()) {
            added += before.containsKey(k) ? 0 : 1;
        }
        for (String k : before.keySet()) {
            removed += keys.containsKey(k) ? 0 : 1;
        }
        LOG.info("reloaded authorized keys from {}: {} key(s), {} added, {} removed", file, keys.size(), added, removed);
        return added + removed > 0;
    }

    /** Starts polling the file for changes on a daemon thread of its own. */
    public synchronized void watch(Duration interval) {
        if (watcher != null) {
            return;
        }
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "brokest-authorized-keys");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(10, interval.toMillis());
        watcher.scheduleWithFixedDelay(() -> {
            try {
                reloadIfChanged();
            } catch (RuntimeException e) {
                LOG.error("reloading authorized keys from {} failed", file, e);
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.shutdownNow();
            watcher = null;
        }
    }
}
