package io.brokest.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.brokest.Brokest;
import io.brokest.BrokestException;
import io.brokest.Task;
import io.brokest.TaskOptions;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The daemon's command line, as an operator meets it. */
@Timeout(120)
class WorkerDaemonCliIT {

    @Test
    void helpPrintsUsageAndExitsZero() throws Exception {
        try (DaemonProcess d = DaemonProcess.start("--help")) {
            assertThat(d.waitForExit(30_000)).isZero();
            assertThat(d.output()).contains("--bind", "--threads", "--drain-timeout", "--no-result-poll");
        }
    }

    @Test
    void theJarCarriesBrokestsFixedJeromqSignalerOnly() throws Exception {
        // JeroMQ's own copy spins its I/O threads on a busy host; core/src/main/java/zmq/Signaler.java says why
        try (URLClassLoader jarOnly = new URLClassLoader(new URL[] {DaemonProcess.jar().toUri().toURL()}, null)) {
            Class<?> signaler = Class.forName("zmq.Signaler", false, jarOnly);
            assertThat(signaler.getDeclaredFields()).extracting(java.lang.reflect.Field::getName)
                    .contains("BROKEST_COUNTS_BEFORE_WRITING");
        }
    }

    @Test
    void aBadOptionExitsNonZeroNamingIt() throws Exception {
        try (DaemonProcess d = DaemonProcess.start("--threads", "many")) {
            assertThat(d.waitForExit(30_000)).isNotZero();
            assertThat(d.output()).contains("--threads").contains("many");
        }
        try (DaemonProcess d = DaemonProcess.start("--drain-timeout", "-5s")) {
            assertThat(d.waitForExit(30_000)).isEqualTo(2);
            assertThat(d.output()).contains("--drain-timeout").contains("'-5s' is negative");
        }
    }

    @Test
    void aMalformedBindOrAnOutOfRangeSettingExitsTwoWithOneLine() throws Exception {
        String[][] cases = {
                {"--bind", "garbage"},
                {"--prefetch", "-3"},
                {"--threads", "100000"},
        };
        String[] expected = {"invalid endpoint to bind 'garbage': it has no scheme", "prefetch must be >= 0, was -3",
                "threads must be <= 10000 (each is an OS thread), was 100000"};
        for (int i = 0; i < cases.length; i++) {
            try (DaemonProcess d = DaemonProcess.start(cases[i])) {
                assertThat(d.waitForExit(30_000)).isEqualTo(2);
                assertThat(d.output()).contains("worker-daemon: " + expected[i]).doesNotContain("\tat ");
            }
        }
    }

    @Test
    void aPortInUseExitsWithAClearMessage() throws Exception {
        try (DaemonProcess first = DaemonProcess.startReady();
             DaemonProcess second = DaemonProcess.start("--bind", first.endpoint())) {
            assertThat(second.waitForExit(30_000)).isNotZero();
            assertThat(second.output()).contains("already in use");
        }
    }

    @Test
    void logsClientsThatConnectAndLeave() throws Exception {
        try (DaemonProcess d = DaemonProcess.startReady("--threads", "2")) {
            try (Brokest b = Brokest.builder().workers(d.endpoint()).name("cli-test-client").build()) {
                assertThat(b.submit(() -> 1).get(30, TimeUnit.SECONDS)).isEqualTo(1);
                d.awaitLine(l -> l.contains("client cli-test-client connected"), 10_000);
            }
            d.awaitLine(l -> l.contains("client cli-test-client left"), 10_000);
        }
    }

    @Test
    void sigtermDrainsAndExitsZero() throws Exception {
        try (DaemonProcess d = DaemonProcess.startReady("--threads", "2", "--drain-timeout", "20s")) {
            try (Brokest b = Brokest.connect(d.endpoint())) {
                var slow = b.submit(() -> {
                    Thread.sleep(1500);
                    return "finished during drain";
                });
                assertThat(b.submit(() -> "warm").get(30, TimeUnit.SECONDS)).isEqualTo("warm");
                d.terminate();
                assertThat(slow.get(30, TimeUnit.SECONDS)).isEqualTo("finished during drain");
            }
            assertThat(d.waitForExit(30_000)).isZero();
            assertThat(d.output()).as(d.output()).contains("draining");
        }
    }

    @Test
    void tasksThatIgnoreTheirInterruptAreReplacedThenStopTheDaemonWithExitOne() throws Exception {
        // waits two minutes (using no CPU), whatever interrupts it: longer than the test
        Task<String> stuck = () -> {
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (System.nanoTime() < end) {
                Thread.interrupted();
                LockSupport.parkNanos(1_000_000);
            }
            return "ended";
        };
        TaskOptions shortTimeout = TaskOptions.defaults().withTimeout(Duration.ofMillis(300));
        try (DaemonProcess d = DaemonProcess.startReady("--threads", "1")) {
            try (Brokest b = Brokest.builder().workers(d.endpoint()).closeTimeout(Duration.ofSeconds(1)).build()) {
                assertThatThrownBy(() -> b.submit(stuck, shortTimeout).get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TimeoutException.class);
                d.awaitLine(l -> l.contains("a new thread takes its place"), 20_000);
                assertThat(b.submit(() -> "behind it").get(30, TimeUnit.SECONDS)).isEqualTo("behind it");
                assertThatThrownBy(() -> b.submit(stuck, shortTimeout).get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TimeoutException.class);
                assertThat(d.waitForExit(30_000)).as(d.output()).isEqualTo(1);
            }
            assertThat(d.output()).as(d.output())
                    .contains("2 tasks ignored their interrupts and still hold their threads, more than this worker's 1")
                    .contains("WorkerDaemonCliIT.lambda$tasksThatIgnoreTheirInterrupt")
                    .contains("worker-daemon: stopped by itself (see the log above); exit 1");
        }
    }

    @Test
    void aTaskThatCallsSystemExitFailsOnItsClientAndIsNotRerunToStopTheOtherWorker() throws Exception {
        try (DaemonProcess first = DaemonProcess.startReady("--threads", "2");
             DaemonProcess second = DaemonProcess.startReady("--threads", "2")) {
            try (Brokest b = Brokest.connect(first.endpoint(), second.endpoint())) {
                var exiting = b.submit(() -> {
                    System.exit(3);
                    return "never";
                });
                // before, the client saw a lost worker and re-ran the task on the other, which exited too
                assertThatThrownBy(() -> exiting.get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(BrokestException.class)
                        .hasMessageContaining("called System.exit")
                        .hasMessageContaining("is not re-run elsewhere");
                DaemonProcess exited = first;
                DaemonProcess survivor = second;
                CompletableFuture.anyOf(first.process().onExit(), second.process().onExit()).get(30, TimeUnit.SECONDS);
                if (second.process().isAlive()) {
                    assertThat(first.waitForExit(30_000)).isEqualTo(3);
                } else {
                    exited = second;
                    survivor = first;
                    assertThat(second.waitForExit(30_000)).isEqualTo(3);
                }
                assertThat(exited.output()).as(exited.output())
                        .contains("called System.exit, at")
                        .contains("WorkerDaemonCliIT.lambda$aTaskThatCallsSystemExit")
                        .doesNotContain("shutting down: draining"); // nothing to drain: the JVM is exiting
                assertThat(b.submit(() -> "still served").get(30, TimeUnit.SECONDS)).isEqualTo("still served");
                assertThat(survivor.process().isAlive()).isTrue();
            }
        }
    }

    @Test
    void aThreadStartedByATaskThatCallsSystemExitIsTracedToItsClient() throws Exception {
        try (DaemonProcess d = DaemonProcess.startReady("--threads", "1")) {
            try (Brokest b = Brokest.builder().workers(d.endpoint()).name("exiting-client")
                    .closeTimeout(Duration.ofSeconds(1)).build()) {
                b.submit(() -> {
                    Thread exiter = new Thread(() -> System.exit(4), "exiter");
                    exiter.start();
                    exiter.join();
                    return "never";
                });
                assertThat(d.waitForExit(30_000)).as(d.output()).isEqualTo(4);
            }
            assertThat(d.output()).as(d.output())
                    .contains("a thread started by a task of client exiting-client (exiter) called System.exit, at")
                    .contains("WorkerDaemonCliIT.lambda$aThreadStartedByATask");
        }
    }
}
