package io.brokest.testing;

import io.brokest.Brokest;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that runs in-process Brokest workers for a test class, and injects a connected
 * {@link Brokest} client, the {@link InProcessWorker}, or all of them as {@link BrokestWorkers}, into
 * test and lifecycle methods.
 *
 * <pre>{@code
 * @ExtendWith(BrokestExtension.class)
 * class InvoiceTasksTest {
 *     @Test
 *     void totals(Brokest brokest) throws Exception {
 *         assertThat(brokest.submit(new InvoiceTotal(order)).get(10, SECONDS)).isEqualTo(42);
 *     }
 * }
 *
 * class RetryTest {
 *     @RegisterExtension
 *     static BrokestExtension brokest = BrokestExtension.builder()
 *             .workers(2).threads(2).heartbeat(Duration.ofMillis(100), 3).perMethod().build();
 *
 *     @Test
 *     void survivesALostWorker(Brokest client, BrokestWorkers workers) throws Exception { ... }
 * }
 * }</pre>
 *
 * <p>By default one worker serves the whole test class; {@link Builder#perMethod()} gives each test
 * fresh workers, which tests that kill or freeze workers need. Workers and clients live in JUnit's
 * {@link ExtensionContext.Store}, so they are closed however the test ends. A test that returns while
 * a task it submitted through an injected client is still unfinished fails, unless
 * {@link Builder#failOnUnfinishedTasks(boolean)} turns that off: such a task would run on into the next
 * test, or be cut off at close.
 *
 * <p>Static {@code @RegisterExtension} fields get per-class workers; instance fields can only get
 * per-method ones.
 */
public final class BrokestExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
        ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(BrokestExtension.class);
    /** How long after a test a task may take to report completion before it counts as left unfinished. */
    private static final Duration UNFINISHED_GRACE = Duration.ofSeconds(2);

    private final int workerCount;
    private final InProcessWorker.Builder settings;
    private final boolean perMethod;
    private final boolean failOnUnfinishedTasks;
    /** The workers of the test running now, for accessors on a {@code @RegisterExtension} field. */
    private volatile BrokestWorkers current;

    /** One worker per test class with default settings; what {@code @ExtendWith(BrokestExtension.class)} uses. */
    public BrokestExtension() {
        this(builder());
    }

    private BrokestExtension(Builder builder) {
        this.workerCount = builder.workers;
        this.settings = builder.settings.copy();
        this.perMethod = builder.perMethod;
        this.failOnUnfinishedTasks = builder.failOnUnfinishedTasks;
    }

    /** A builder for an extension registered with {@code @RegisterExtension}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The client of the current test's workers. Prefer a {@code Brokest} test method parameter.
     *
     * @throws IllegalStateException outside a test using this extension
     */
    public Brokest client() {
        return workers().client();
    }

    /**
     * The current test's only worker.
     *
     * @throws IllegalStateException outside a test, or when there are several workers (use {@link #workers()})
     */
    public InProcessWorker worker() {
        return single(workers());
    }

    /**
     * The current test's workers.
     *
     * @throws IllegalStateException outside a test using this extension
     */
    public BrokestWorkers workers() {
        BrokestWorkers w = current;
        if (w == null || w.isClosed()) {
            throw new IllegalStateException("no Brokest workers are running: the extension starts them for a "
                    + "test class or test method; call this from a test");
        }
        return w;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!perMethod) {
            current = workersFor(context, true);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        // A per-class extension registered on an instance field never saw beforeAll: start them here.
        current = workersFor(context, true);
        // Tasks an earlier test left behind (and failed for) must not fail this one too.
        context.getStore(NAMESPACE).put(pendingKey(), current.pendingTasks());
    }

    private Object pendingKey() {
        return java.util.List.of(this, "pending before the test");
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        BrokestWorkers workers = workersFor(context, false);
        if (workers == null || !failOnUnfinishedTasks || context.getExecutionException().isPresent()) {
            return;
        }
        Integer before = context.getStore(NAMESPACE).get(pendingKey(), Integer.class);
        int baseline = before == null ? 0 : before;
        try {
            InProcessWorker.awaitCondition(() -> workers.pendingTasks() <= baseline, UNFINISHED_GRACE, () -> "");
        } catch (TimeoutException e) {
            throw new AssertionError(context.getDisplayName() + " left " + (workers.pendingTasks() - baseline)
                    + " Brokest task(s) unfinished; wait for their futures before the test ends (or build "
                    + "the extension with failOnUnfinishedTasks(false))");
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == Brokest.class || type == InProcessWorker.class || type == BrokestWorkers.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        BrokestWorkers workers = workersFor(extensionContext, false);
        if (workers == null) {
            throw new ParameterResolutionException("no Brokest workers for " + parameterContext.getParameter()
                    + ": with perMethod() they exist only in test methods and @BeforeEach/@AfterEach methods");
        }
        Class<?> type = parameterContext.getParameter().getType();
        if (type == Brokest.class) {
            return workers.client();
        }
        if (type == BrokestWorkers.class) {
            return workers;
        }
        try {
            return single(workers);
        } catch (IllegalStateException e) {
            throw new ParameterResolutionException(e.getMessage());
        }
    }

    private static InProcessWorker single(BrokestWorkers workers) {
        if (workers.size() != 1) {
            throw new IllegalStateException("the Brokest extension runs " + workers.size()
                    + " workers; ask for BrokestWorkers instead of a single InProcessWorker");
        }
        return workers.get(0);
    }

    /** The workers visible from this context (its own or an enclosing one's); started there if asked. */
    private BrokestWorkers workersFor(ExtensionContext context, boolean start) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        Stored stored = store.get(this, Stored.class);
        if (stored == null || stored.workers.isClosed()) {
            if (!start) {
                return null;
            }
            stored = new Stored(BrokestWorkers.start(workerCount, settings));
            store.put(this, stored);
        }
        return stored.workers;
    }

    /**
     * What the store holds. JUnit closes {@code CloseableResource}s in every version and, from 5.13,
     * {@code AutoCloseable}s instead; this is both, and closing twice is harmless.
     */
    @SuppressWarnings("deprecation")
    private static final class Stored implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        final BrokestWorkers workers;

        Stored(BrokestWorkers workers) {
            this.workers = workers;
        }

        @Override
        public void close() {
            workers.close();
        }
    }

    /** Settings of a {@link BrokestExtension}; {@link #build()} makes it. */
    public static final class Builder {
        private int workers = 1;
        private final InProcessWorker.Builder settings = InProcessWorker.builder();
        private boolean perMethod;
        private boolean failOnUnfinishedTasks = true;

        private Builder() {
        }

        /** How many workers to start; default 1. Clients connect to all of them. */
        public Builder workers(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("workers must be >= 1, was " + count);
            }
            this.workers = count;
            return this;
        }

        /** Threads of each worker; default 2. */
        public Builder threads(int threads) {
            settings.threads(threads);
            return this;
        }

        /** Prefetch of each worker; default 2. */
        public Builder prefetch(int prefetch) {
            settings.prefetch(prefetch);
            return this;
        }

        /** Largest task or result, for workers and clients; default 64 MiB. */
        public Builder maxMessageBytes(int bytes) {
            settings.maxMessageBytes(bytes);
            return this;
        }

        /** Heartbeat of workers and clients; default 1 s x 3. See {@link InProcessWorker.Builder#heartbeat}. */
        public Builder heartbeat(Duration interval, int liveness) {
            settings.heartbeat(interval, liveness);
            return this;
        }

        /** How long a task waits for a class from its client; default 30 s. */
        public Builder classFetchTimeout(Duration timeout) {
            settings.classFetchTimeout(timeout);
            return this;
        }

        /** Fresh workers for every test method, closed after it (for tests that kill or freeze them). */
        public Builder perMethod() {
            this.perMethod = true;
            return this;
        }

        /** One set of workers for the whole test class (the default). */
        public Builder perClass() {
            this.perMethod = false;
            return this;
        }

        /** Whether a test that leaves tasks unfinished fails; default true. */
        public Builder failOnUnfinishedTasks(boolean fail) {
            this.failOnUnfinishedTasks = fail;
            return this;
        }

        /** Makes the extension. */
        public BrokestExtension build() {
            return new BrokestExtension(this);
        }
    }
}
