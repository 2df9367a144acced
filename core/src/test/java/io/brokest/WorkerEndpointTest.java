package io.brokest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.brokest.internal.LogCapture;
import io.brokest.internal.util.Endpoints;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker endpoint that is malformed fails the call that gave it, saying what was expected; one that
 * is well formed but cannot be connected to (its host name does not resolve) leaves the client
 * running: the other workers take the tasks, and tasks with no worker at all fail with the reason.
 */
@Timeout(60)
class WorkerEndpointTest {
    /** A name under .invalid, which RFC 2606 reserves so that it never resolves. */
    private static final String UNRESOLVABLE = "tcp://no-such-worker.invalid:5555";

    @Test
    void wellFormedEndpointsAreAccepted() {
        for (String endpoint : List.of("tcp://127.0.0.1:5555", "tcp://worker-1.example.com:1", "tcp://[::1]:65535",
                "ipc:///tmp/brokest-worker")) {
            assertThat(Endpoints.checkWorker(endpoint)).isEqualTo(endpoint);
        }
    }

    @Test
    void malformedEndpointsAreRefusedSayingWhatIsWrong() {
        String[][] cases = {
                {"garbage", "it has no scheme"},
                {"", "it is empty"},
                {" tcp://127.0.0.1:5555", "spaces around it"},
                {"tcp://127.0.0.1", "it has no port"},
                {"tcp://:5555", "it has no host"},
                {"tcp://*:5555", "* is for binding a worker"},
                {"tcp://127.0.0.1:0", "is not a number from 1 to 65535"},
                {"tcp://127.0.0.1:70000", "is not a number from 1 to 65535"},
                {"tcp://127.0.0.1:http", "'http' is not a number"},
                {"udp://127.0.0.1:5555", "over tcp, not udp"},
                {"ipc://", "it has no path"},
        };
        List<String> accepted = new ArrayList<>();
        for (String[] c : cases) {
            try {
                Endpoints.checkWorker(c[0]);
                accepted.add(c[0]);
            } catch (IllegalArgumentException e) {
                assertThat(e.getMessage()).contains("invalid worker endpoint '" + c[0] + "'").contains(c[1])
                        .contains("expected tcp://HOST:PORT");
            }
        }
        assertThat(accepted).isEmpty();
    }

    @Test
    void aWorkerBindsTheFormsZeroMqBindsAndRefusesOthersSayingWhatIsWrong() {
        for (String endpoint : List.of("tcp://127.0.0.1:*", "tcp://*:5555", "tcp://[::1]:5555", "ipc:///tmp/w",
                "inproc://worker")) {
            assertThat(Endpoints.checkBind(endpoint)).isEqualTo(endpoint);
        }
        assertThatThrownBy(() -> BrokestWorker.builder().bind("127.0.0.1:5555"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid endpoint to bind '127.0.0.1:5555': it has no scheme")
                .hasMessageContaining("tcp://127.0.0.1:* for any free port");
        assertThatThrownBy(() -> BrokestWorker.builder().bind("tcp://127.0.0.1:99999"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("its port '99999' is not a number from 1 to 65535 (or *)");
    }

    @Test
    void theClientRefusesAMalformedEndpointWhereItIsGiven() {
        assertThatThrownBy(() -> Brokest.connect("tcp://127.0.0.1:5555", "localhost:5555"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'localhost:5555'");
        try (Brokest brokest = Brokest.connect()) {
            assertThatThrownBy(() -> brokest.addWorker("tcp://worker-2"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("it has no port");
        }
    }

    @Test
    void aWorkerWhoseHostDoesNotResolveLeavesTheOthersServing() throws Exception {
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(2).start();
             Brokest brokest = Brokest.connect(UNRESOLVABLE, worker.endpoint())) {
            List<CompletableFuture<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int x = i;
                futures.add(brokest.submit(() -> x * x));
            }
            for (int i = 0; i < 20; i++) {
                assertThat(futures.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(i * i);
            }
            // the client also drops it cleanly, though it never had a connection
            brokest.removeWorker(UNRESOLVABLE);
            assertThat(brokest.submit(() -> "still serving").get(20, TimeUnit.SECONDS)).isEqualTo("still serving");
        }
    }

    @Test
    void withOnlyAnUnresolvableWorkerATaskFailsNamingWhy() throws Exception {
        try (Brokest brokest = Brokest.builder().workers(UNRESOLVABLE).noWorkerTimeout(Duration.ofMillis(500)).build()) {
            CompletableFuture<String> task = brokest.submit(() -> "never runs");
            assertThatThrownBy(() -> task.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(WorkerLostException.class)
                    .hasMessageContaining(UNRESOLVABLE + " (cannot connect: its host name does not resolve)");
            // and the client is still alive: a worker added now takes the next task
            try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(1).start()) {
                brokest.addWorker(worker.endpoint());
                assertThat(brokest.submit(() -> "ran").get(20, TimeUnit.SECONDS)).isEqualTo("ran");
            }
        }
    }

    @Test
    void tasksWaitingForAClientWithoutWorkersAreReportedInTheLog() throws Exception {
        String log = captureLogWhile(() -> {
            try (Brokest brokest = Brokest.connect()) {
                CompletableFuture<String> waiting = brokest.submit(() -> "waits");
                awaitLogged("has no workers");
                waiting.cancel(true);
            }
        });
        assertThat(log).contains("1 task(s) wait, and this client has no workers")
                .contains("addWorker(...)");
    }

    @Test
    void aWorkerThatNeverAnswersIsReportedInTheLog() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // free now, and nothing listens there once closed
        }
        String endpoint = "tcp://127.0.0.1:" + port;
        String log = captureLogWhile(() -> {
            try (Brokest brokest = Brokest.connect(endpoint)) {
                CompletableFuture<String> waiting = brokest.submit(() -> "waits");
                awaitLogged("has not answered");
                waiting.cancel(true); // so that closing does not wait for it
            }
        });
        assertThat(log)
                .contains("worker " + endpoint + " has not answered for 5 s (1 task(s) wait for a worker)")
                .contains("is a worker daemon running there");
    }

    @Test
    void aWorkerBeyondThisMachineWithoutKeysIsWarnedAboutOnceAndALoopbackOneIsNot() throws Exception {
        String remote = "tcp://192.0.2.1:5555"; // TEST-NET-1: a documentation address, never answers
        String log = captureLogWhile(() -> {
            try (BrokestWorker local = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(1).start();
                 Brokest brokest = Brokest.connect(local.endpoint())) {
                assertThat(brokest.submit(() -> "served").get(20, TimeUnit.SECONDS)).isEqualTo("served");
                brokest.addWorker(remote);
                awaitLogged("may be on another machine");
            }
        });
        assertThat(log).contains("worker " + remote + " may be on another machine and this client has no CURVE keys")
                .contains("clientKey(...) and workerPublicKey(...)");
        assertThat(log.split("may be on another machine", -1)).hasSize(2); // once, and not for the loopback one
    }

    /** What the test's client has logged so far (one per test: JUnit makes an instance per test). */
    private final LogCapture captured = new LogCapture();

    /** What the client logged while the action ran. */
    private String captureLogWhile(LogCapture.Action action) throws Exception {
        return captured.during(action);
    }

    private void awaitLogged(String text) throws InterruptedException {
        captured.awaitText(text);
    }
}
