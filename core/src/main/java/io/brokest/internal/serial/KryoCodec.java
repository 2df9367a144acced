package io.brokest.internal.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.KryoBufferOverflowException;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ClosureSerializer;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import io.brokest.Brokest;
import io.brokest.BrokestWorker;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.Channel;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * Kryo serialization bound to one class loader: a client's application loader, or on a worker the
 * loader of one client session. Instances of Kryo are pooled and never shared between threads; one
 * that threw is dropped rather than returned, since a failure can leave it in a dirty state
 * (kryo#1283). Keeping one codec per loader avoids Kryo's class-name cache handing out classes from
 * the wrong loader (kryo#160).
 *
 * <p>Thread-safe.
 */
public final class KryoCodec {
    private static final int INITIAL_BUFFER = 256;
    private static final int RETAINED_BUFFER = 64 * 1024;
    /** The most Kryo instances kept idle between uses; more may be in use at once. */
    private static final int MAX_IDLE_KRYOS = 64;
    /** How many constant forms one codec remembers reading ({@link #readConstants}); later ones are read each time. */
    static final int MAX_CONSTANT_FORMS_READ = 256;
    /** Longer payloads are never looked up: a lambda's form is its class and method names, well under this. */
    static final int MAX_CONSTANT_FORM_BYTES = 2048;

    /** Path elements shown at each end of a long path to a value that cannot be serialized. */
    private static final int PATH_ENDS_SHOWN = 3;
    /** Kryo's message for a StackOverflowError names the depth it reached, e.g. "more than 1510 levels deep". */
    private static final java.util.regex.Pattern LEVELS = java.util.regex.Pattern.compile("more than (\\d+) levels deep");

    static {
        // Kryo records where a failure happened in a StringBuffer while the exception unwinds, and after
        // a StackOverflowError (data nested too deep) that starts at the bottom of the stack. A class
        // first initialized there fails its initializer and stays unusable for the JVM's life: seen in a
        // small client, every later use of StringBuffer anywhere threw "NoClassDefFoundError: Could not
        // initialize class java.lang.StringBuffer". So both are initialized here, at a shallow stack.
        new KryoException("").addTrace(new StringBuffer("initialized").toString());
    }

    /** The holder of classes whose instances do not all serialize alike. */
    private static final AtomicReference<byte[]> VARIES = new AtomicReference<>();

    private final ClassLoader loader;
    private final int maxBytes;
    /** Kryo instances not in use ({@link IdlePool}: lock-free, since task threads borrow them at once). */
    private final IdlePool<Slot> pool;
    /**
     * The serialized form of each lambda class that captures nothing. Every instance of such a class
     * writes the same bytes, so the reflective {@code SerializedLambda} round (half of what a submit
     * of a method reference cost, measured) is paid once per class. A {@code ClassValue}, so a cached
     * form never keeps its class, or that class's loader, alive.
     */
    private final ClassValue<AtomicReference<byte[]>> constantForms = new ClassValue<>() {
        @Override
        protected AtomicReference<byte[]> computeValue(Class<?> type) {
            return capturesNothing(type) ? new AtomicReference<>() : VARIES;
        }
    };

    /**
     * What each constant form (see {@link #constantForms}) reads back as. A lambda that captures nothing
     * has no state, so the instance read from a form serves every later payload of the same bytes, and
     * Kryo's read of it (class names, the {@code SerializedLambda}, the call to the capturing class's
     * {@code $deserializeLambda$}) is paid once per form instead of once per task. On workers running a
     * method reference 2,000 times a second, this read was a sixth of the task threads' samples under
     * {@code perf}. Bounded, since the forms come from the peer.
     */
    private final ConcurrentHashMap<ConstantForm, Object> readConstants = new ConcurrentHashMap<>();
    /** The first byte of every serialized lambda: the varint of its registered class's id (Kryo writes id + 2). */
    private final int lambdaTag;

    /** A Kryo instance with its reusable output buffer. */
    private static final class Slot {
        final Kryo kryo;
        Output output;

        Slot(Kryo kryo, int maxBytes) {
            this.kryo = kryo;
            this.output = new Output(INITIAL_BUFFER, maxBytes);
        }
    }

    public KryoCodec(ClassLoader loader, int maxBytes) {
        this.loader = loader;
        this.maxBytes = maxBytes;
        this.pool = new IdlePool<>(MAX_IDLE_KRYOS, () -> new Slot(newKryo(loader), maxBytes));
        Slot slot = pool.obtain();
        int tag = slot.kryo.getRegistration(ClosureSerializer.Closure.class).getId() + 2;
        pool.free(slot);
        this.lambdaTag = tag < 0x80 ? tag : -1; // a one-byte varint; otherwise no form is cached
    }

    public ClassLoader classLoader() {
        return loader;
    }

    static Kryo newKryo(ClassLoader loader) {
        Kryo kryo = new Kryo(new LoaderOnlyClassResolver(), null);
        kryo.setClassLoader(loader);
        // User classes are not known in advance. Only authenticated peers may send Kryo bytes.
        kryo.setRegistrationRequired(false);
        kryo.setReferences(true);
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        kryo.register(ClosureSerializer.Closure.class, new LambdaSerializer());
        kryo.addDefaultSerializer(Throwable.class, new ThrowableSerializer());
        JdkSerializers.register(kryo);
        refuse(kryo, Thread.class, "capture the data the task needs, not a thread");
        refuse(kryo, ThreadGroup.class, "capture the data the task needs, not a thread group");
        refuse(kryo, ClassLoader.class, "class loaders belong to one JVM; the worker loads classes itself");
        refuse(kryo, InputStream.class, "read the data into a byte[] or String and capture that");
        refuse(kryo, OutputStream.class, "return the data from the task instead of writing to a stream");
        refuse(kryo, Reader.class, "read the data into a String and capture that");
        refuse(kryo, Writer.class, "return the data from the task instead of writing it");
        refuse(kryo, Socket.class, "open connections inside the task instead");
        refuse(kryo, ServerSocket.class, "open connections inside the task instead");
        refuse(kryo, Channel.class, "open channels inside the task instead");
        refuse(kryo, ExecutorService.class, "executors belong to one JVM; capture the data only");
        refuse(kryo, Lock.class, "locks only coordinate threads of one JVM");
        refuse(kryo, Brokest.class, "a task must not capture the Brokest client; this usually happens when "
                + "a lambda uses a field or method of the enclosing object: copy the values it needs into "
                + "local variables first, or make the method static");
        refuse(kryo, BrokestWorker.class, "a task must not capture a worker");

        JdkSerializers.registerViews(kryo);
        // Kryo writes any dynamic proxy under InvocationHandler's registration (its own class is made
        // at run time, in one JVM only): registering that with a refusal refuses proxies, and nothing else
        kryo.register(java.lang.reflect.InvocationHandler.class, new RefusingSerializer("a dynamic proxy's class "
                + "exists only in the JVM that made it (a Spring repository or a mock, say): capture or return the "
                + "data it stands for"));
        return kryo;
    }

    private static void refuse(Kryo kryo, Class<?> type, String advice) {
        kryo.addDefaultSerializer(type, new RefusingSerializer(advice));
    }

    /**
     * Serializes a value with its class.
     *
     * @throws KryoException if it cannot be serialized; {@link #describe} makes a message of it
     * @throws MessageTooLargeException if it exceeds the maximum message size
     */
    public byte[] serialize(Object value) {
        AtomicReference<byte[]> constant = value == null ? VARIES : constantForms.get(value.getClass());
        if (constant == VARIES) {
            return write(value);
        }
        byte[] bytes = constant.get();
        if (bytes == null) {
            bytes = write(value);
            constant.set(bytes);
        }
        return bytes; // shared: callers copy it into frames and never change it
    }

    /** A serializable lambda without captured values: its class alone decides what it writes. */
    static boolean capturesNothing(Class<?> type) {
        return type.isSynthetic() && type.getName().contains("$$Lambda")
                && java.io.Serializable.class.isAssignableFrom(type) && type.getDeclaredFields().length == 0;
    }

    private byte[] write(Object value) {
        Slot slot = pool.obtain();
        boolean healthy = false;
        try {
            Output out = slot.output;
            out.reset();
            slot.kryo.writeClassAndObject(out, value);
            byte[] bytes = out.toBytes();
            healthy = true;
            return bytes;
        } catch (KryoBufferOverflowException e) {
            throw new MessageTooLargeException("serialized form of " + typeName(value) + " is larger than the "
                    + "maximum message size of " + maxBytes + " bytes; send less data per task or raise "
                    + "maxMessageSize on both client and worker");
        } finally {
            release(slot, healthy);
        }
    }

    /**
     * Deserializes what {@link #serialize} wrote, resolving classes through this codec's loader. A lambda
     * that captures nothing may come back as the instance an earlier call returned for the same bytes.
     */
    public Object deserialize(byte[] bytes) {
        if (bytes.length == 0 || bytes.length > MAX_CONSTANT_FORM_BYTES || bytes[0] != lambdaTag) {
            return read(bytes);
        }
        ConstantForm form = new ConstantForm(bytes);
        Object known = readConstants.get(form);
        if (known != null) {
            return known;
        }
        Object value = read(bytes);
        if (value != null && constantForms.get(value.getClass()) != VARIES
                && readConstants.size() < MAX_CONSTANT_FORMS_READ) {
            readConstants.putIfAbsent(new ConstantForm(bytes.clone()), value); // the caller's array may change
        }
        return value;
    }

    /** A serialized form as a map key, compared by content. */
    private static final class ConstantForm {
        private final byte[] bytes;
        private final int hash;

        ConstantForm(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof ConstantForm form && form.hash == hash && Arrays.equals(form.bytes, bytes);
        }
    }

    /** Number of constant forms remembered (for tests). */
    int constantFormsRead() {
        return readConstants.size();
    }

    private Object read(byte[] bytes) {
        Slot slot = pool.obtain();
        boolean healthy = false;
        try {
            Object value = slot.kryo.readClassAndObject(new Input(bytes));
            healthy = true;
            return value;
        } finally {
            release(slot, healthy);
        }
    }

    private void release(Slot slot, boolean healthy) {
        if (!healthy) {
            return; // drop it: see class comment
        }
        slot.kryo.reset();
        if (slot.output.getBuffer().length > RETAINED_BUFFER) {
            slot.output = new Output(INITIAL_BUFFER, maxBytes);
        }
        pool.free(slot);
    }

    private static String typeName(Object value) {
        return value == null ? "null" : value.getClass().getName();
    }

    /**
     * Turns a Kryo failure into a sentence naming the value at fault and the path to it. Kryo's trace
     * lists the fields from the innermost outwards; we print them outermost first.
     */
    public static String describe(String what, Throwable failure) {
        String text = failure.getMessage() == null ? failure.toString() : failure.getMessage();
        String[] lines = text.split("\n");
        boolean inTrace = false;
        java.util.List<String> trace = new java.util.ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("Serialization trace:")) {
                inTrace = true;
            } else if (inTrace && !line.isBlank()) {
                trace.add(line.trim());
            }
        }
        java.util.Collections.reverse(trace); // outermost first
        if (trace.size() > 2 * PATH_ENDS_SHOWN + 1) {
            int hidden = trace.size() - 2 * PATH_ENDS_SHOWN;
            java.util.List<String> ends = new java.util.ArrayList<>(trace.subList(0, PATH_ENDS_SHOWN));
            ends.add(String.format("... %,d more", hidden));
            ends.addAll(trace.subList(trace.size() - PATH_ENDS_SHOWN, trace.size()));
            trace = ends;
        }
        String path = String.join(" -> ", trace);
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String reason = lines[0];
        if (root instanceof StackOverflowError) {
            java.util.regex.Matcher levels = LEVELS.matcher(reason);
            reason = "it is nested too deep (" + (levels.find() ? "over " + levels.group(1) + " levels, each" : "each level")
                    + " a call on the thread's stack). Send a long chain of linked objects as an array or a"
                    + " collection, which is written in a loop, or give the thread a larger stack (-Xss)";
        } else if (root instanceof java.lang.reflect.InaccessibleObjectException && root.getMessage() != null) {
            String closed = root.getMessage();
            int module = closed.indexOf(": module ");
            reason = "it is JDK-internal state, not data (" + (module > 0 ? closed.substring(0, module) : closed)
                    + "). Send the data itself: collect a stream or an iterator into a List, and copy what the task"
                    + " needs out of other JDK objects";
        } else if (root != failure && root.getMessage() != null && !reason.contains(root.getMessage())) {
            reason = reason + " (" + root.getClass().getSimpleName() + ": " + root.getMessage().split("\n")[0] + ")";
        }
        return what + " cannot be serialized: " + reason
                + (path.length() == 0 ? "" : "; at " + path);
    }
}
