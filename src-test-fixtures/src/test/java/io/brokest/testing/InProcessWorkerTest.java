package io.brokest.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.brokest.Brokest;
import io.brokest.BrokestWorker;
import io.brokest.Task;
import io.brokest.TaskSerializationException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The in-process worker catches what a direct call would hide: each expectation below is checked
 * against the worker daemon's own engine ({@link BrokestWorker}) too, which must give the same answer.
 */
@Timeout(30)
class InProcessWorkerTest {
    static InProcessWorker worker;
    static BrokestWorker daemonEngine;
    static Brokest daemonClient;

    @BeforeAll
    static void start() {
        worker = InProcessWorker.start();
        daemonEngine = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(2).start();
        daemonClient = Brokest.connect(daemonEngine.endpoint());
    }

    @AfterAll
    static void stop() {
        worker.close();
        daemonClient.close();
        daemonEngine.close();
    }

    private static <T> T run(Brokest client, Task<T> task) throws Exception {
        return client.submit(task).get(10, TimeUnit.SECONDS);
    }

    /** The failure of a task, on the in-process worker and on the daemon's engine. */
    private static List<Throwable> failures(Task<?> task) {
        List<Throwable> out = new ArrayList<>();
        for (Brokest client : List.of(worker.client(), daemonClient)) {
            try {
                client.submit(task).get(10, TimeUnit.SECONDS);
                out.add(null);
            } catch (ExecutionException e) {
                out.add(e.getCause());
            } catch (Exception e) {
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void bindsLoopbackOnARealPortAndRunsTasks() throws Exception {
        assertThat(worker.endpoint()).matches("tcp://127\\.0\\.0\\.1:[1-9][0-9]*");
        int x = 6;
        assertThat(run(worker.client(), () -> x * 7)).isEqualTo(42);
        assertThat(worker.client().queue((String s) -> s.toUpperCase(), "hi").get(10, TimeUnit.SECONDS))
                .isEqualTo("HI");
        assertThat(worker.capacity()).as("2 threads + a daemon's default prefetch, max(4, threads)").isEqualTo(6);
        assertThat(worker.clientCount()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void tasksAreDefinedFromShippedBytesInTheClientsOwnLoader() throws Exception {
        String loader = run(worker.client(), () -> Holder.class.getClassLoader().getName());
        assertThat(loader).startsWith("brokest-client-");
        assertThat(run(worker.client(), () -> Holder.class.getClassLoader().getParent()
                == ClassLoader.getPlatformClassLoader()))
                .as("the loader's parent is the JDK's platform loader, not this test's classpath")
                .isTrue();
    }

    static final class Holder {
        static String mode = "initial";
        static int counter;
    }

    @Test
    void aStaticFieldTheTestChangedHasItsInitialValueOnTheWorker() throws Exception {
        Holder.mode = "changed by the test";
        Holder.counter = 99;
        try {
            assertThat(run(worker.client(), () -> Holder.mode + "/" + Holder.counter)).isEqualTo("initial/0");
            assertThat(run(daemonClient, () -> Holder.mode + "/" + Holder.counter)).isEqualTo("initial/0");
        } finally {
            Holder.mode = "initial";
            Holder.counter = 0;
        }
    }

    @Test
    void capturedValuesTravelAsCopiesBothWays() throws Exception {
        List<String> mine = new ArrayList<>(List.of("a"));
        List<String> back = run(worker.client(), () -> {
            mine.add("added on the worker");
            return mine;
        });
        assertThat(back).containsExactly("a", "added on the worker").isNotSameAs(mine);
        assertThat(mine).as("the caller's list was never touched").containsExactly("a");
    }

    @Test
    void aCapturedStreamFailsAtSubmitWithTheDaemonsMessage() {
        InputStream stream = InputStream.nullInputStream();
        Task<Integer> task = () -> stream.read();
        TaskSerializationException here = catchSubmit(worker.client(), task);
        TaskSerializationException daemon = catchSubmit(daemonClient, task);
        assertThat(here).hasMessageContaining("InputStream").hasMessageContaining("read the data into a byte[]");
        assertThat(here.getMessage()).isEqualTo(daemon.getMessage());
    }

    @Test
    void aCapturedNonSerializableLambdaFailsAtSubmitWithTheDaemonsMessage() {
        Runnable plain = () -> { };
        Task<Integer> task = () -> {
            plain.run();
            return 1;
        };
        TaskSerializationException here = catchSubmit(worker.client(), task);
        assertThat(here).hasMessageContaining("java.lang.Runnable").hasMessageContaining("not serializable");
        assertThat(here.getMessage()).isEqualTo(catchSubmit(daemonClient, task).getMessage());
    }

    private static TaskSerializationException catchSubmit(Brokest client, Task<?> task) {
        try {
            client.submit(task);
        } catch (TaskSerializationException e) {
            return e;
        }
        throw new AssertionError("submit accepted a task that cannot be serialized");
    }

    @Test
    void aResultThatCannotBeSerializedFailsTheFutureAsOnTheDaemon() {
        List<Throwable> failures = failures(() -> Thread.currentThread());
        assertThat(failures.get(0)).isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("the result (java.lang.Thread)");
        assertThat(failures.get(0).getMessage()).isEqualTo(failures.get(1).getMessage());
    }

    @Test
    void aClassNobodyHasFailsAsOnTheDaemon() {
        List<Throwable> failures = failures(() -> Class.forName("com.example.NotAnywhere"));
        assertThat(failures.get(0)).isInstanceOf(ClassNotFoundException.class)
                .hasMessageContaining("not found on the worker nor on the client");
        assertThat(withoutClientName(failures.get(0))).isEqualTo(withoutClientName(failures.get(1)));
    }

    /** Messages name the client, and the two clients have different names. */
    private static String withoutClientName(Throwable t) {
        return t.getMessage().replaceAll("on the client \\S+;", "on the client C;");
    }

    static final class Generated implements Task<String> {
        @Override
        public String call() {
            return "should not run";
        }
    }

    @Test
    void aTaskClassTheClientCannotShipFailsLikeOnTheDaemon() throws Exception {
        // A class the client can load but has no bytes for, like one generated at run time: a direct
        // call would run it; a worker cannot.
        ClassLoader hiding = new ClassLoader(InProcessWorkerTest.class.getClassLoader()) {
            @Override
            public InputStream getResourceAsStream(String name) {
                return name.contains("Generated") ? null : super.getResourceAsStream(name);
            }
        };
        try (Brokest client = worker.clientBuilder().classLoader(hiding).build()) {
            CompletableFuture<String> f = client.submit(new Generated());
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(TaskSerializationException.class)
                    .hasMessageContaining("cannot be read")
                    .hasMessageContaining("Unable to find class: io.brokest.testing.InProcessWorkerTest$Generated");
        }
        try (Brokest client = Brokest.builder().workers(daemonEngine.endpoint()).classLoader(hiding).build()) {
            assertThatThrownBy(() -> client.submit(new Generated()).get(10, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(TaskSerializationException.class)
                    .hasMessageContaining("Unable to find class: io.brokest.testing.InProcessWorkerTest$Generated");
        }
    }

    static final class OrderRejectedException extends Exception {
        OrderRejectedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Test
    void aTasksExceptionComesBackWithTypeMessageCauseAndTheWorkersTrace() {
        CompletableFuture<Object> f = worker.client().submit(() -> {
            throw new OrderRejectedException("order 7 rejected", new IllegalStateException("no stock"));
        });
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(OrderRejectedException.class)
                .hasMessage("order 7 rejected")
                .hasCauseInstanceOf(IllegalStateException.class)
                .satisfies(e -> assertThat(e.getStackTrace()).anySatisfy(frame ->
                        assertThat(frame.getClassName()).isEqualTo("io.brokest.internal.worker.TaskRunner")));
    }

    @Test
    void anOversizedTaskFailsAtSubmitUnderTheConfiguredLimit() throws Exception {
        try (InProcessWorker small = InProcessWorker.builder().maxMessageBytes(1 << 20).start()) {
            byte[] big = new byte[2 << 20];
            assertThatThrownBy(() -> small.client().submit(() -> big.length))
                    .isInstanceOf(TaskSerializationException.class)
                    .hasMessageContaining("maximum message size of 1048576");
            assertThat(run(small.client(), () -> "small")).isEqualTo("small");
        }
    }

    @Test
    void extraClientsAreClosedWithTheWorker() throws Exception {
        InProcessWorker w = InProcessWorker.builder().threads(1).prefetch(0).start();
        Brokest first = w.client();
        Brokest second = w.newClient();
        assertThat(w.client()).isSameAs(first);
        assertThat(second).isNotSameAs(first);
        assertThat(run(second, () -> "second")).isEqualTo("second");
        assertThat(w.capacity()).isEqualTo(1);
        w.close();
        w.close(); // idempotent
        assertThat(w.isClosed()).isTrue();
        assertThatThrownBy(() -> first.submit(() -> 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> second.submit(() -> 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(w::client).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void builderRejectsBadSettingsNamingTheValue() {
        assertThatThrownBy(() -> InProcessWorker.builder().threads(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("threads must be >= 1, was 0");
        assertThatThrownBy(() -> InProcessWorker.builder().prefetch(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("prefetch must be >= 0, was -1");
        assertThatThrownBy(() -> InProcessWorker.builder().maxMessageBytes(10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 10");
        assertThatThrownBy(() -> InProcessWorker.builder().heartbeat(java.time.Duration.ofMillis(1), 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0.001S");
    }
}
