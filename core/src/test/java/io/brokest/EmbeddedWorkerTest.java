package io.brokest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * End to end against a worker embedded in this JVM. Even here the worker defines every class of these
 * tests from bytes it fetched from the client over the socket, in a loader that cannot see this JVM's
 * classpath, so the same paths run as against a remote daemon.
 */
@Timeout(60)
class EmbeddedWorkerTest {
    static BrokestWorker worker;
    static Brokest brokest;

    @BeforeAll
    static void start() {
        worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(4).start();
        brokest = Brokest.connect(worker.endpoint());
    }

    @AfterAll
    static void stop() {
        brokest.close();
        worker.close();
    }

    record Point(int x, int y) {
    }

    enum Color { RED, GREEN }

    static int square(int x) {
        return x * x;
    }

    @Test
    void aCallerBlocksOnTheFutureOrOnAStageDerivedFromIt() throws Exception {
        assertThat(brokest.submit(() -> 20).get(10, TimeUnit.SECONDS)).isEqualTo(20);
        assertThat(brokest.submit(() -> 20).join()).isEqualTo(20);
        assertThat(brokest.submit(() -> 20).thenApply(x -> x + 1).get(10, TimeUnit.SECONDS)).isEqualTo(21);
        assertThat(brokest.submit(() -> 20).thenCompose(x -> brokest.submit(() -> x * 2)).join()).isEqualTo(40);
    }

    @Test
    void lambdaCapturingLocalsRecordsCollectionsEnumsAndArrays() throws Exception {
        int x = 5;
        List<Integer> xs = List.of(1, 2, 3);
        Point p = new Point(3, 4);
        Color c = Color.GREEN;
        int[] arr = {10, 20};
        Map<String, Integer> map = Map.of("a", 1);
        CompletableFuture<String> f = brokest.submit(
                () -> x * xs.size() + ":" + (p.x() + p.y()) + ":" + c + ":" + (arr[0] + arr[1]) + ":" + map.get("a"));
        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("15:7:GREEN:30:1");
    }

    @Test
    void methodReferenceAndBiFunction() throws Exception {
        assertThat(brokest.queue(EmbeddedWorkerTest::square, 7).get(10, TimeUnit.SECONDS)).isEqualTo(49);
        assertThat(brokest.queue((String s, Integer n) -> s.repeat(n), "ab", 3).get(10, TimeUnit.SECONDS))
                .isEqualTo("ababab");
    }

    static final class BuildReport implements Task<List<String>> {
        private final List<String> names;

        BuildReport(List<String> names) {
            this.names = names;
        }

        @Override
        public List<String> call() {
            List<String> out = new ArrayList<>();
            for (String n : names) {
                out.add(n.toUpperCase());
            }
            return out;
        }
    }

    @Test
    void taskObject() throws Exception {
        assertThat(brokest.submit(new BuildReport(List.of("a", "b"))).get(10, TimeUnit.SECONDS))
                .containsExactly("A", "B");
    }

    static final class InvalidOrderException extends Exception {
        InvalidOrderException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Test
    void tasksOwnExceptionComesBackWithTypeMessageCauseAndRemoteTrace() {
        CompletableFuture<Object> f = brokest.submit(() -> {
            throw new InvalidOrderException("order 42 is invalid", new IllegalStateException("stock is negative"));
        });
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(InvalidOrderException.class)
                .hasMessage("order 42 is invalid")
                .hasCauseInstanceOf(IllegalStateException.class)
                .satisfies(e -> assertThat(e.getStackTrace()).anySatisfy(frame ->
                        assertThat(frame.getClassName()).contains("TaskRunner")));
    }

    static final class Opaque extends RuntimeException {
        Opaque(int code) {
            super("code " + code);
        }
    }

    @Test
    void exceptionThatCannotBeRebuiltBecomesRemoteTaskException() {
        CompletableFuture<Object> f = brokest.submit(() -> {
            throw new Opaque(7);
        });
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(RemoteTaskException.class)
                .hasMessageContaining("Opaque")
                .hasMessageContaining("code 7");
    }

    /** An exception whose getMessage() itself throws (the task's code is not always careful). */
    static final class BadMessage extends RuntimeException {
        BadMessage(int code) {
            super("code " + code);
        }

        @Override
        public String getMessage() {
            throw new IllegalStateException("getMessage blew up");
        }
    }

    @Test
    void anExceptionWhoseGetMessageThrowsStillComesBackAsTheTasksFailure() {
        CompletableFuture<Object> f = brokest.submit(() -> {
            throw new BadMessage(7);
        });
        // before: the worker logged "failed inside Brokest" and the client got "the worker could not run"
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(RemoteTaskException.class)
                .hasMessageContaining("BadMessage")
                .hasMessageContaining("its getMessage() threw java.lang.IllegalStateException");
    }

    @Test
    void nonSerializableCaptureFailsAtSubmitNamingTheCulprit() {
        InputStream stream = InputStream.nullInputStream();
        assertThatThrownBy(() -> brokest.submit(() -> stream.read()))
                .isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("InputStream")
                .hasMessageContaining("read the data into a byte[]");
        Runnable plain = () -> { };
        assertThatThrownBy(() -> brokest.submit(() -> { plain.run(); return 1; }))
                .isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("java.lang.Runnable")
                .hasMessageContaining("not serializable");
    }

    @Test
    void capturingTheClientIsRefused() {
        Brokest client = brokest;
        assertThatThrownBy(() -> client.submit(() -> client.pendingTasks()))
                .isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("must not capture the Brokest client");
    }

    @Test
    void resultThatCannotBeSerializedFailsThatTaskOnly() throws Exception {
        CompletableFuture<Object> bad = brokest.submit(() -> new Thread());
        assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("java.lang.Thread");
        assertThat(brokest.submit(() -> "still serving").get(10, TimeUnit.SECONDS)).isEqualTo("still serving");
    }

    @Test
    void workerClassesAreNotVisibleToTasks() throws Exception {
        // Kryo is on this JVM's classpath (the worker's) but not something the task may see: it is
        // fetched from the client like any other library, in the client's own loader.
        CompletableFuture<String> f = brokest.submit(() ->
                com.esotericsoftware.kryo.Kryo.class.getClassLoader().getName());
        assertThat(f.get(10, TimeUnit.SECONDS)).startsWith("brokest-client-");
        CompletableFuture<Boolean> sameApi = brokest.submit(() ->
                Task.class.getClassLoader() == Brokest.class.getClassLoader().getParent()
                        || Task.class.getClassLoader() != Thread.currentThread().getContextClassLoader());
        assertThat(sameApi.get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void resourcesComeFromTheClient() throws Exception {
        CompletableFuture<String> f = brokest.submit(() -> {
            try (InputStream in = Thread.currentThread().getContextClassLoader()
                    .getResourceAsStream("simplelogger.properties")) {
                return new String(in.readAllBytes()).lines().findFirst().orElse("");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("org.slf4j.simpleLogger.defaultLogLevel=info");
    }

    @Test
    void manyConcurrentTasks() throws Exception {
        List<CompletableFuture<Integer>> futures = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            futures.add(brokest.queue(EmbeddedWorkerTest::square, i));
        }
        for (int i = 0; i < 2000; i++) {
            assertThat(futures.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(i * i);
        }
    }

    @Test
    void timeoutFailsTheFutureAndInterruptsTheTask() {
        CompletableFuture<Object> f = brokest.submit(() -> {
            Thread.sleep(60_000);
            return "late";
        }, TaskOptions.defaults().withTimeout(Duration.ofMillis(200)));
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                .cause().isInstanceOf(java.util.concurrent.TimeoutException.class);
    }
}
