package io.brokest.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.brokest.Brokest;
import io.brokest.BrokestException;
import io.brokest.RemoteTaskException;
import io.brokest.Task;
import io.brokest.TaskSerializationException;
import io.brokest.internal.wire.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.apache.commons.lang3.StringUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The core promise, against a real worker daemon JVM started from worker-daemon.jar alone: none of
 * the classes below, nor commons-lang3, are on its classpath; it fetches them from this client.
 */
@Timeout(120)
class RemoteWorkerIT {
    static DaemonProcess daemon;
    static Brokest brokest;

    @BeforeAll
    static void start() throws Exception {
        daemon = DaemonProcess.startReady("--threads", "4", "--max-message-size", "1048576");
        brokest = Brokest.builder().workers(daemon.endpoint()).maxMessageBytes(1048576).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (brokest != null) {
            brokest.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    static int square(int x) {
        return x * x;
    }

    record Order(String id, List<Integer> quantities) {
    }

    static final class Total implements Task<Integer> {
        private final Order order;

        Total(Order order) {
            this.order = order;
        }

        @Override
        public Integer call() {
            return order.quantities().stream().mapToInt(Integer::intValue).sum();
        }
    }

    @Test
    void runsLambdasMethodReferencesAndTaskObjects() throws Exception {
        int x = 5;
        List<Integer> xs = List.of(1, 2, 3);
        assertThat(brokest.submit(() -> x * xs.size()).get(30, TimeUnit.SECONDS)).isEqualTo(15);
        assertThat(brokest.queue(RemoteWorkerIT::square, 7).get(30, TimeUnit.SECONDS)).isEqualTo(49);
        assertThat(brokest.queue((String s, Integer n) -> s.repeat(n), "ab", 3).get(30, TimeUnit.SECONDS))
                .isEqualTo("ababab");
        assertThat(brokest.submit(new Total(new Order("o-1", List.of(2, 3, 4)))).get(30, TimeUnit.SECONDS))
                .isEqualTo(9);
    }

    @Test
    void runsClassesTheDaemonNeverHadInItsOwnLoader() throws Exception {
        String loader = brokest.submit(() -> Total.class.getClassLoader().getName()).get(30, TimeUnit.SECONDS);
        assertThat(loader).startsWith("brokest-client-");
        String pid = brokest.submit(() -> Long.toString(ProcessHandle.current().pid())).get(30, TimeUnit.SECONDS);
        assertThat(Long.parseLong(pid)).isEqualTo(daemon.pid());
    }

    @Test
    void callsAThirdPartyLibraryTheDaemonDoesNotBundle() throws Exception {
        assertThat(brokest.queue(StringUtils::reverse, "brokest").get(30, TimeUnit.SECONDS)).isEqualTo("tsekorb");
        assertThat(brokest.submit(() -> StringUtils.class.getClassLoader().getName()).get(30, TimeUnit.SECONDS))
                .startsWith("brokest-client-");
    }

    static final class PaymentDeclinedException extends RuntimeException {
        PaymentDeclinedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Test
    void returnsTheTasksOwnExceptionWithCauseAndRemoteTrace() {
        CompletableFuture<Object> f = brokest.submit(() -> {
            throw new PaymentDeclinedException("card 4242 declined", new IOException("gateway said 402"));
        });
        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(PaymentDeclinedException.class)
                .hasMessage("card 4242 declined")
                .hasCauseInstanceOf(IOException.class)
                .satisfies(e -> assertThat(e.getStackTrace()[0].getMethodName()).contains("lambda"))
                .satisfies(e -> assertThat(e.getStackTrace()).anySatisfy(
                        frame -> assertThat(frame.getClassName()).isEqualTo("io.brokest.internal.worker.TaskRunner")));
    }

    @Test
    void aClassNobodyHasFailsThatTaskWithAClearMessage() throws Exception {
        CompletableFuture<Object> f = brokest.submit(() -> Class.forName("com.example.NotAnywhere"));
        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(ClassNotFoundException.class)
                .hasMessageContaining("com.example.NotAnywhere")
                .hasMessageContaining("not found on the worker nor on the client");
        assertThat(brokest.submit(() -> "next").get(30, TimeUnit.SECONDS)).isEqualTo("next");
    }

    static final class Hidden implements Task<String> {
        @Override
        public String call() {
            return "should not run";
        }
    }

    @Test
    void aTaskClassTheClientCannotServeFailsWithAClearError() throws Exception {
        // A client whose class loader can load Hidden but has no bytes for it, like a generated class.
        ClassLoader hiding = new ClassLoader(RemoteWorkerIT.class.getClassLoader()) {
            @Override
            public InputStream getResourceAsStream(String name) {
                return name.contains("Hidden") ? null : super.getResourceAsStream(name);
            }
        };
        try (Brokest client = Brokest.builder().workers(daemon.endpoint()).classLoader(hiding).build()) {
            CompletableFuture<String> f = client.submit(new Hidden());
            assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(TaskSerializationException.class)
                    .hasMessageContaining("cannot be read")
                    .hasMessageContaining("RemoteWorkerIT$Hidden");
            assertThat(client.submit(() -> "fine").get(30, TimeUnit.SECONDS)).isEqualTo("fine");
        }
    }

    @Test
    void aResultThatCannotBeSerializedFailsThatTaskOnly() throws Exception {
        CompletableFuture<Object> f = brokest.submit(() -> Thread.currentThread());
        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("the result (java.lang.Thread)");
        assertThat(brokest.submit(() -> 1 + 1).get(30, TimeUnit.SECONDS)).isEqualTo(2);
    }

    @Test
    void anOversizedTaskFailsAtSubmitAndAnOversizedResultFailsItsFuture() throws Exception {
        byte[] big = new byte[2 * 1024 * 1024];
        assertThatThrownBy(() -> brokest.submit(() -> big.length))
                .isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("maximum message size of 1048576");
        CompletableFuture<byte[]> f = brokest.submit(() -> new byte[2 * 1024 * 1024]);
        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("maximum message size");
        assertThat(brokest.submit(() -> "ok").get(30, TimeUnit.SECONDS)).isEqualTo("ok");
    }

    @Test
    void garbageFramesAreDroppedAndTheDaemonKeepsServing() throws Exception {
        Random random = new Random(42);
        try (ZContext ctx = new ZContext()) {
            ZMQ.Socket dealer = ctx.createSocket(SocketType.DEALER);
            dealer.setLinger(0);
            dealer.connect(daemon.endpoint());
            for (int i = 0; i < 500; i++) {
                byte[] junk = new byte[random.nextInt(64)];
                random.nextBytes(junk);
                if (i % 3 == 0 && junk.length > 3) {
                    junk[0] = (byte) 0xB7; // a plausible header with a broken body
                    junk[1] = (byte) Protocol.VERSION;
                    junk[2] = (byte) (1 + random.nextInt(10));
                }
                dealer.send(junk, ZMQ.DONTWAIT);
            }
            dealer.send(new byte[] {(byte) 0xB7, 9, 1}, 0); // a future protocol version
            byte[] reply = dealer.recv(0);
            assertThat(new String(reply, java.nio.charset.StandardCharsets.UTF_8)).contains("protocol version 9");
        }
        daemon.awaitLine(l -> l.contains("dropped a"), 10_000);
        assertThat(brokest.submit(() -> "still serving").get(30, TimeUnit.SECONDS)).isEqualTo("still serving");
    }

    @Test
    void twoThousandConcurrentTasks() throws Exception {
        int n = 2000;
        long start = System.nanoTime();
        List<CompletableFuture<Integer>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int k = i;
            futures.add(brokest.submit(() -> k * 3));
        }
        CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
        long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
        for (int i = 0; i < n; i++) {
            assertThat(futures.get(i).join()).isEqualTo(i * 3);
        }
        System.out.printf("2000 small tasks against one daemon: %d ms, %.0f tasks/s%n", micros / 1000,
                n * 1e6 / micros);
    }

    @Test
    void twoClientsWithDifferentVersionsOfOneClassEachGetTheirOwn(@TempDir Path dir) throws Exception {
        ClassLoader v1 = compileGreeter(dir.resolve("v1"), "v1");
        ClassLoader v2 = compileGreeter(dir.resolve("v2"), "v2");
        try (Brokest c1 = Brokest.builder().workers(daemon.endpoint()).classLoader(v1).name("client-v1").build();
             Brokest c2 = Brokest.builder().workers(daemon.endpoint()).classLoader(v2).name("client-v2").build()) {
            List<CompletableFuture<String>> f1 = new ArrayList<>();
            List<CompletableFuture<String>> f2 = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                f1.add(c1.submit(newGreeter(v1)));
                f2.add(c2.submit(newGreeter(v2)));
            }
            for (int i = 0; i < 20; i++) {
                assertThat(f1.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("hello from v1");
                assertThat(f2.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("hello from v2");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Task<String> newGreeter(ClassLoader loader) throws Exception {
        return (Task<String>) loader.loadClass("versioned.Greeter").getDeclaredConstructor().newInstance();
    }

    private static ClassLoader compileGreeter(Path dir, String version) throws IOException {
        Path src = dir.resolve("src/versioned/Greeter.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, "package versioned;\n"
                + "public class Greeter implements io.brokest.Task<String> {\n"
                + "  public String call() { return \"hello from " + version + "\"; }\n"
                + "}\n");
        Path out = dir.resolve("classes");
        Files.createDirectories(out);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", out.toString(), "-classpath",
                System.getProperty("java.class.path"), src.toString());
        assertThat(rc).as("javac exit code").isZero();
        return new URLClassLoader(new URL[] {out.toUri().toURL()}, RemoteWorkerIT.class.getClassLoader());
    }

    @Test
    void resultsOfManyTypesRoundTrip() throws Exception {
        Map<String, List<Integer>> value = brokest.submit(() -> Map.of("a", List.of(1, 2), "b", List.<Integer>of()))
                .get(30, TimeUnit.SECONDS);
        assertThat(value).containsEntry("a", List.of(1, 2)).containsEntry("b", List.of());
        Object missingType = brokest.submit(() -> new RemoteTaskException("x", "y")).get(30, TimeUnit.SECONDS);
        assertThat(missingType).isInstanceOf(BrokestException.class);
    }
}
