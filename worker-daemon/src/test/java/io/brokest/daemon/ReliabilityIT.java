package io.brokest.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.brokest.Brokest;
import io.brokest.TaskOptions;
import io.brokest.WorkerLostException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing is lost: real daemon JVMs killed with SIGKILL, frozen with SIGSTOP, restarted on the same
 * endpoint, and drained with SIGTERM, while a client has thousands of tasks in flight. Each task
 * leaves one file per execution, so the test can count tasks that ran twice.
 */
@Timeout(180)
class ReliabilityIT {
    private static final String BEAT = "250ms";
    private static final Duration CLIENT_BEAT = Duration.ofMillis(250);

    private static Brokest.Builder client(String... endpoints) {
        return Brokest.builder().workers(endpoints).heartbeat(CLIENT_BEAT, 3);
    }

    /** A task result: the value and the pid of the daemon that computed it. */
    static long[] work(int i, String dir) throws IOException, InterruptedException {
        Files.createFile(Path.of(dir, i + "-" + UUID.randomUUID()));
        Thread.sleep(3);
        return new long[] {i * 2L, ProcessHandle.current().pid()};
    }

    @Test
    void killAndRestartMidRunLosesNothing(@TempDir Path runs) throws Exception {
        DaemonProcess a = DaemonProcess.startReady("--threads", "2", "--heartbeat", BEAT);
        DaemonProcess b = DaemonProcess.startReady("--threads", "2", "--heartbeat", BEAT);
        DaemonProcess c = DaemonProcess.startReady("--threads", "2", "--heartbeat", BEAT);
        DaemonProcess c2 = null;
        String cEndpoint = c.endpoint();
        int n = 3000;
        try (Brokest brokest = client(a.endpoint(), b.endpoint(), c.endpoint()).build()) {
            String dir = runs.toString();
            AtomicInteger completions = new AtomicInteger();
            CompletableFuture<Void> sixthDone = new CompletableFuture<>();
            CompletableFuture<Void> halfDone = new CompletableFuture<>();
            List<CompletableFuture<long[]>> futures = new ArrayList<>(n);
            List<CompletableFuture<long[]>> counted = new ArrayList<>(n); // done once its counter callback ran
            for (int i = 0; i < n; i++) {
                int k = i;
                CompletableFuture<long[]> f = brokest.queue((Integer x) -> work(x, dir), k);
                counted.add(f.whenComplete((v, e) -> {
                    int count = completions.incrementAndGet();
                    if (count == n / 6) {
                        sixthDone.complete(null);
                    } else if (count == n / 2) {
                        halfDone.complete(null);
                    }
                }));
                futures.add(f);
            }
            sixthDone.get(60, TimeUnit.SECONDS);
            long killedAt = System.nanoTime();
            a.kill9();
            halfDone.get(60, TimeUnit.SECONDS);
            c.kill9();
            c2 = DaemonProcess.start("--bind", cEndpoint, "--threads", "2", "--heartbeat", BEAT);
            c2.awaitReady(30_000);

            CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
            // a future's callbacks may still be running when allOf sees it complete
            CompletableFuture.allOf(counted.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
            long detectMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);

            Map<Long, Integer> byPid = new HashMap<>();
            for (int i = 0; i < n; i++) {
                long[] r = futures.get(i).get();
                assertThat(r[0]).isEqualTo(i * 2L);
                byPid.merge(r[1], 1, Integer::sum);
            }
            assertThat(completions.get()).as("each future completed exactly once").isEqualTo(n);
            assertThat(byPid).as("the restarted daemon took work again").containsKey(c2.pid());

            Map<Integer, Integer> executions = new HashMap<>();
            try (Stream<Path> files = Files.list(runs)) {
                files.forEach(p -> executions.merge(Integer.parseInt(p.getFileName().toString().split("-")[0]), 1,
                        Integer::sum));
            }
            assertThat(executions).as("every task ran at least once").hasSize(n);
            long twice = executions.values().stream().filter(v -> v > 1).count();
            System.out.printf("kill -9 + restart: %d tasks, 0 lost, %d ran more than once, results by pid %s, "
                    + "all done %d ms after the first kill%n", n, twice, byPid, detectMillis);
        } finally {
            a.close();
            b.close();
            c.close();
            if (c2 != null) {
                c2.close();
            }
        }
    }

    @Test
    void aFrozenWorkerIsDeclaredLostAndItsTasksRunElsewhere(@TempDir Path runs) throws Exception {
        try (DaemonProcess a = DaemonProcess.startReady("--threads", "2", "--heartbeat", BEAT);
             DaemonProcess b = DaemonProcess.startReady("--threads", "2", "--heartbeat", BEAT);
             Brokest brokest = client(a.endpoint(), b.endpoint()).build()) {
            String dir = runs.toString();
            // one warm-up task each, so both are connected
            List<CompletableFuture<long[]>> futures = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                futures.add(brokest.queue((Integer x) -> work(x, dir), i));
            }
            futures.get(20).get(30, TimeUnit.SECONDS);
            a.sigstop();
            long frozenAt = System.nanoTime();
            CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenAt);
            for (int i = 0; i < futures.size(); i++) {
                assertThat(futures.get(i).get()[0]).isEqualTo(i * 2L);
            }
            a.sigcont();
            // after it wakes, its stale results are ignored and it serves again
            List<CompletableFuture<long[]>> more = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                more.add(brokest.queue((Integer x) -> work(x, dir), i));
            }
            CompletableFuture.allOf(more.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
            System.out.printf("SIGSTOP: 400 tasks all completed %d ms after the freeze (heartbeat %s x 3)%n",
                    millis, BEAT);
        }
    }

    @Test
    void withZeroRetriesATaskOnAKilledWorkerFailsInsteadOfRunningTwice(@TempDir Path runs) throws Exception {
        try (DaemonProcess a = DaemonProcess.startReady("--threads", "1", "--heartbeat", BEAT);
             Brokest brokest = client(a.endpoint()).noWorkerTimeout(Duration.ofSeconds(60)).build()) {
            Path started = runs.resolve("started");
            CompletableFuture<String> f = brokest.submit(() -> {
                Files.createFile(started);
                Thread.sleep(60_000);
                return "never";
            }, TaskOptions.defaults().withMaxRetries(0));
            Await.file(started);
            long killedAt = System.nanoTime();
            a.kill9();
            assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(WorkerLostException.class)
                    .hasMessageContaining("maxRetries is 0");
            System.out.printf("dead worker detected in %d ms (heartbeat %s x 3)%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt), BEAT);
        }
    }

    @Test
    void tasksWaitForAWorkerThatComesUpLater() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        String endpoint = "tcp://127.0.0.1:" + port;
        try (Brokest brokest = client(endpoint).build()) {
            CompletableFuture<Integer> f = brokest.submit(() -> 6 * 7);
            assertThatThrownBy(() -> f.get(500, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
            try (DaemonProcess late = DaemonProcess.start("--bind", endpoint, "--threads", "1")) {
                late.awaitReady(30_000);
                assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(42);
            }
        }
    }

    @Test
    void aDrainingWorkerFinishesItsTasksWhileNewOnesGoElsewhere(@TempDir Path runs) throws Exception {
        try (DaemonProcess a = DaemonProcess.startReady("--threads", "2", "--drain-timeout", "30s");
             DaemonProcess b = DaemonProcess.startReady("--threads", "4", "--prefetch", "0");
             Brokest brokest = client(a.endpoint(), b.endpoint()).build()) {
            // b may hold up to two of the slow tasks; its other two threads stay free for new work
            List<CompletableFuture<Long>> slow = new ArrayList<>();
            Path marker = runs.resolve("go");
            for (int i = 0; i < 4; i++) {
                slow.add(brokest.submit(() -> {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (!Files.exists(marker) && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                    return ProcessHandle.current().pid();
                }));
            }
            a.terminate();
            a.awaitLine(l -> l.contains("shutting down"), 10_000);
            // new work lands on b only, while a still holds its tasks
            for (int i = 0; i < 20; i++) {
                assertThat(brokest.submit(() -> ProcessHandle.current().pid()).get(30, TimeUnit.SECONDS))
                        .isEqualTo(b.pid());
            }
            Files.createFile(marker);
            for (CompletableFuture<Long> f : slow) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isIn(a.pid(), b.pid());
            }
            assertThat(a.waitForExit(30_000)).isZero();
        }
    }

    @Test
    void tasksStillRunningWhenTheDrainTimeoutEndsAreInterruptedAndRunElsewhere(@TempDir Path runs)
            throws Exception {
        try (DaemonProcess a = DaemonProcess.startReady("--threads", "1", "--drain-timeout", "1s", "--heartbeat", BEAT);
             DaemonProcess b = DaemonProcess.startReady("--threads", "1", "--heartbeat", BEAT);
             Brokest brokest = client(a.endpoint()).build()) {
            long aPid = a.pid();
            Path started = runs.resolve("started-on-a");
            CompletableFuture<Long> f = brokest.submit(() -> {
                long pid = ProcessHandle.current().pid();
                if (pid == aPid) {
                    Files.createFile(started);
                    Thread.sleep(120_000); // never finishes on a: the drain timeout cuts it short
                }
                return pid;
            });
            Await.file(started);
            brokest.addWorker(b.endpoint());
            a.terminate();
            assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(b.pid());
            assertThat(a.waitForExit(30_000)).isZero();
            assertThat(a.output()).contains("drain timeout: interrupted 1 task(s)");
        }
    }

    @Test
    void aClientThatDiesIsNoticedAndItsTasksCancelled(@TempDir Path runs) throws Exception {
        try (DaemonProcess d = DaemonProcess.startReady("--threads", "1", "--heartbeat", BEAT)) {
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CrashingClient.class.getName(), d.endpoint(),
                    runs.toString());
            Process client = new ProcessBuilder(command).inheritIO().start();
            try {
                Await.file(runs.resolve("started"));
                client.destroyForcibly();
                client.waitFor(10, TimeUnit.SECONDS);
                d.awaitLine(l -> l.contains("client crashing-client went silent"), 20_000);
                Await.file(runs.resolve("interrupted"));
            } finally {
                client.destroyForcibly();
            }
        }
    }
}
