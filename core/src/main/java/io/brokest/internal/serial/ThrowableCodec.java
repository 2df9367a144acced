package io.brokest.internal.serial;

import io.brokest.RemoteTaskException;
import io.brokest.internal.wire.MalformedMessageException;
import io.brokest.internal.wire.WireReader;
import io.brokest.internal.wire.WireWriter;
import java.lang.reflect.Constructor;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Sends exceptions as data: class name, message, stack frames, cause chain and suppressed exceptions.
 *
 * <p>Kryo's field serializer cannot write {@code Throwable} on JDK 17 (kryo#859), and a user's
 * exception class may not exist on the other side, so we never send the object itself. The receiver
 * rebuilds the same type when its class is visible and has a (String) or (String, Throwable)
 * constructor, and a {@link RemoteTaskException} carrying the remote name otherwise. Either way the
 * stack trace is the remote one.
 */
public final class ThrowableCodec {
    private static final int MAX_DEPTH = 16;
    private static final int MAX_FRAMES = 256;

    private ThrowableCodec() {
    }

    public static byte[] encode(Throwable t) {
        WireWriter out = new WireWriter(1024);
        write(out, t, 0, new IdentityHashMap<>());
        return out.toByteArray();
    }

    private static void write(WireWriter out, Throwable t, int depth, Map<Throwable, Boolean> seen) {
        seen.put(t, Boolean.TRUE);
        out.putString(t.getClass().getName());
        out.putString(t instanceof RemoteTaskException r ? r.remoteMessage() : messageOf(t));
        out.putString(t instanceof RemoteTaskException r ? r.remoteClassName() : null);
        StackTraceElement[] frames = t.getStackTrace();
        int n = Math.min(frames.length, MAX_FRAMES);
        out.putInt(n);
        for (int i = 0; i < n; i++) {
            out.putString(frames[i].getClassName());
            out.putString(frames[i].getMethodName());
            out.putString(frames[i].getFileName());
            out.putInt(frames[i].getLineNumber());
        }
        Throwable cause = t.getCause();
        boolean writeCause = cause != null && depth < MAX_DEPTH && !seen.containsKey(cause);
        out.putBoolean(writeCause);
        if (writeCause) {
            write(out, cause, depth + 1, seen);
        }
        Throwable[] suppressed = depth < MAX_DEPTH ? t.getSuppressed() : new Throwable[0];
        int count = 0;
        for (Throwable s : suppressed) {
            if (!seen.containsKey(s)) {
                count++;
            }
        }
        out.putInt(count);
        for (Throwable s : suppressed) {
            if (!seen.containsKey(s)) {
                write(out, s, depth + 1, seen);
            }
        }
    }

    /** The exception's message, or what went wrong asking for it: a task's exception may override getMessage() badly. */
    private static String messageOf(Throwable t) {
        try {
            return t.getMessage();
        } catch (RuntimeException | Error e) {
            return "(its getMessage() threw " + e.getClass().getName() + ")";
        }
    }

    /**
     * Rebuilds an exception, loading its class (and its causes' classes) through the given loader.
     *
     * @throws MalformedMessageException if the bytes are not an encoded exception
     */
    public static Throwable decode(byte[] bytes, ClassLoader loader) throws MalformedMessageException {
        return read(new WireReader(bytes, 0), loader, 0);
    }

    private static Throwable read(WireReader in, ClassLoader loader, int depth) throws MalformedMessageException {
        if (depth > MAX_DEPTH) {
            throw new MalformedMessageException("exception nested deeper than " + MAX_DEPTH);
        }
        String className = in.getString();
        String message = in.getString();
        String wrappedName = in.getString();
        int n = in.getInt();
        if (n < 0 || n > MAX_FRAMES) {
            throw new MalformedMessageException("bad stack frame count " + n);
        }
        StackTraceElement[] frames = new StackTraceElement[n];
        for (int i = 0; i < n; i++) {
            String declaring = in.getString();
            String method = in.getString();
            String file = in.getString();
            int line = in.getInt();
            frames[i] = new StackTraceElement(declaring == null ? "?" : declaring, method == null ? "?" : method,
                    file, line);
        }
        Throwable cause = in.getBoolean() ? read(in, loader, depth + 1) : null;
        int suppressedCount = in.getInt();
        if (suppressedCount < 0 || suppressedCount > 1024) {
            throw new MalformedMessageException("bad suppressed count " + suppressedCount);
        }
        Throwable t = wrappedName != null ? null : instantiate(className, message, cause, loader);
        if (t == null) {
            t = new RemoteTaskException(wrappedName != null ? wrappedName : className, message);
            if (cause != null) {
                t.initCause(cause);
            }
        }
        t.setStackTrace(frames);
        for (int i = 0; i < suppressedCount; i++) {
            t.addSuppressed(read(in, loader, depth + 1));
        }
        return t;
    }

    private static Throwable instantiate(String className, String message, Throwable cause, ClassLoader loader) {
        if (className == null) {
            return null;
        }
        Class<?> type;
        try {
            type = Class.forName(className, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
        if (!Throwable.class.isAssignableFrom(type)) {
            return null;
        }
        try {
            Throwable t = null;
            boolean causeSet = false;
            try {
                Constructor<?> c = type.getDeclaredConstructor(String.class, Throwable.class);
                c.setAccessible(true);
                t = (Throwable) c.newInstance(message, cause);
                causeSet = true;
            } catch (NoSuchMethodException e) {
                Constructor<?> c = type.getDeclaredConstructor(String.class);
                c.setAccessible(true);
                t = (Throwable) c.newInstance(message);
            }
            if (!java.util.Objects.equals(t.getMessage(), message)) {
                return null; // the constructor rewrote the message: a RemoteTaskException is more truthful
            }
            if (!causeSet && cause != null) {
                try {
                    t.initCause(cause);
                } catch (IllegalStateException alreadySet) {
                    return null;
                }
            }
            return t;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }
}
