package io.brokest.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.brokest.AuthenticationException;
import io.brokest.Brokest;
import io.brokest.Task;
import io.brokest.TaskOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * CURVE against a real daemon JVM: only listed clients run code, clients only talk to the worker
 * they pinned, and every refusal is a clear error. Each refused task would have created a file;
 * the file never appears.
 */
@Timeout(120)
class SecurityIT {
    @TempDir
    static Path dir;
    static Path keys;
    static Path authorized;
    static DaemonProcess daemon;

    @BeforeAll
    static void start() throws Exception {
        keys = dir.resolve("keys");
        for (String name : new String[] {"worker", "alice", "bob", "mallory"}) {
            try (DaemonProcess keygen = DaemonProcess.start("keygen", "--out", keys.toString(), "--name", name)) {
                assertThat(keygen.waitForExit(30_000)).as(keygen.output()).isZero();
            }
        }
        authorized = dir.resolve("authorized_keys");
        writeAuthorized("alice", "bob");
        daemon = DaemonProcess.startReady("--threads", "2", "--key", keys.resolve("worker.key").toString(),
                "--authorized-keys", authorized.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    /** Rewrites the authorized keys file atomically, as an operator's editor or a deploy tool would. */
    static void writeAuthorized(String... names) throws Exception {
        StringBuilder text = new StringBuilder("# clients allowed to run code on the test worker\n\n");
        for (String name : names) {
            text.append(Files.readString(keys.resolve(name + ".pub")).strip()).append(' ').append(name).append('\n');
        }
        Path tmp = Files.writeString(dir.resolve("authorized_keys.tmp"), text);
        Files.move(tmp, authorized, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static Brokest.Builder client(String name) {
        return Brokest.builder().workers(daemon.endpoint()).name(name)
                .clientKey(keys.resolve(name + ".key")).workerPublicKey(keys.resolve("worker.pub"))
                .noWorkerTimeout(Duration.ofSeconds(60));
    }

    /** A task whose only effect is a file: proof of whether it ran. */
    static Task<String> touch(Path marker) {
        String path = marker.toString();
        return () -> {
            java.nio.file.Files.createFile(java.nio.file.Path.of(path));
            return "ran";
        };
    }

    static void assertRefused(CompletableFuture<?> f, String... messageParts) {
        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("was not sent to any worker")
                .hasMessageContainingAll(messageParts);
        f.whenComplete((v, e) -> System.out.println("refused as expected: " + e.getMessage()));
    }

    @Test
    void keygenWritesAOneLinePublicKeyAndAPrivateSecretKey() throws Exception {
        assertThat(Files.readAllLines(keys.resolve("alice.pub"))).singleElement().asString().hasSize(40);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve("alice.key"))))
                .isEqualTo("rw-------");
        try (DaemonProcess again = DaemonProcess.start("keygen", "--out", keys.toString(), "--name", "alice")) {
            assertThat(again.waitForExit(30_000)).isNotZero();
            assertThat(again.output()).contains("refusing to overwrite");
        }
    }

    @Test
    void anAuthorizedClientRunsTasks() throws Exception {
        Path marker = dir.resolve("alice-ran");
        try (Brokest alice = client("alice").build()) {
            assertThat(alice.submit(touch(marker)).get(30, TimeUnit.SECONDS)).isEqualTo("ran");
        }
        assertThat(marker).exists();
        assertThat(daemon.output()).contains("CURVE").contains(Files.readString(keys.resolve("worker.pub")).strip());
    }

    @Test
    void aClientWithAnUnlistedKeyIsRefusedAndNothingRuns() throws Exception {
        Path marker = dir.resolve("mallory-ran");
        try (Brokest mallory = client("mallory").build()) {
            assertRefused(mallory.submit(touch(marker)), "refused this client's key",
                    Files.readString(keys.resolve("mallory.pub")).strip(), "authorized keys file");
        }
        daemon.awaitLine(l -> l.contains("refused a client") && l.contains("is not in"), 10_000);
        assertThat(marker).doesNotExist();
    }

    @Test
    void aClientWithoutKeysIsRefusedAndNothingRuns() throws Exception {
        Path marker = dir.resolve("anonymous-ran");
        try (Brokest anonymous = Brokest.builder().workers(daemon.endpoint()).build()) {
            assertRefused(anonymous.submit(touch(marker)), "probably requires CURVE", "clientKey(");
        }
        assertThat(marker).doesNotExist();
    }

    @Test
    void aClientThatPinnedAnotherWorkersKeySendsItNothing() throws Exception {
        // From the client's side a forged worker key and an impostor worker look the same: the worker
        // it reached cannot prove it holds the secret key of the public key the client pinned.
        Path marker = dir.resolve("forged-ran");
        try (Brokest confused = Brokest.builder().workers(daemon.endpoint())
                .clientKey(keys.resolve("alice.key")).workerPublicKey(keys.resolve("mallory.pub")).build()) {
            assertRefused(confused.submit(touch(marker)), "is not the worker whose public key this client pinned",
                    "mallory.pub");
        }
        assertThat(marker).doesNotExist();
    }

    @Test
    void aRevokedKeyIsCutOffAndItsRunningTaskStops() throws Exception {
        Path started = dir.resolve("bob-started");
        Path finished = dir.resolve("bob-finished");
        String startedPath = started.toString();
        String finishedPath = finished.toString();
        try (Brokest bob = client("bob").build()) {
            assertThat(bob.submit(() -> "hello").get(30, TimeUnit.SECONDS)).isEqualTo("hello");
            CompletableFuture<String> slow = bob.submit(() -> {
                java.nio.file.Files.createFile(java.nio.file.Path.of(startedPath));
                Thread.sleep(15_000);
                java.nio.file.Files.createFile(java.nio.file.Path.of(finishedPath));
                return "finished";
            }, TaskOptions.defaults().withMaxRetries(0));
            Await.file(started);

            writeAuthorized("alice"); // bob is revoked
            daemon.awaitLine(l -> l.contains("client bob was cut off") && l.contains("removed from the authorized keys"),
                    15_000);
            assertThatThrownBy(() -> slow.get(30, TimeUnit.SECONDS)).cause()
                    .hasMessageContaining("was lost while running");
            Path marker = dir.resolve("bob-after-revoke");
            CompletableFuture<String> after = bob.submit(touch(marker));
            assertThatThrownBy(() -> after.get(30, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("refused this client's key");
            assertThat(marker).doesNotExist();
        } finally {
            writeAuthorized("alice", "bob");
        }
        assertThat(finished).doesNotExist(); // the running task was interrupted when bob was cut off

        try (Brokest alice = client("alice").build()) { // the others were not disturbed
            assertThat(alice.submit(() -> "still here").get(30, TimeUnit.SECONDS)).isEqualTo("still here");
        }
    }

    @Test
    void aPublicBindWithoutKeysIsRefusedWithHowToSetUpKeys() throws Exception {
        try (DaemonProcess open = DaemonProcess.start("--bind", "tcp://0.0.0.0:*")) {
            assertThat(open.waitForExit(30_000)).isNotZero();
            assertThat(open.output()).contains("refusing to listen on tcp://0.0.0.0:*")
                    .contains("keygen").contains("--authorized-keys").contains("--insecure");
        }
    }

    @Test
    void aSecretKeyOthersCanReadDrawsAWarningAndAMissingKeysFileAnError() throws Exception {
        Path loose = dir.resolve("loose.key");
        Files.copy(keys.resolve("worker.key"), loose);
        Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));
        try (DaemonProcess d = DaemonProcess.start("--bind", "tcp://127.0.0.1:*", "--key", loose.toString(),
                "--authorized-keys", dir.resolve("no-such-file").toString())) {
            assertThat(d.waitForExit(30_000)).isNotZero();
            assertThat(d.output()).contains("chmod 600 " + loose).contains("no-such-file");
        }
    }

    @Test
    void keyWithoutAuthorizedKeysIsAnError() throws Exception {
        try (DaemonProcess d = DaemonProcess.start("--bind", "tcp://127.0.0.1:*", "--key",
                keys.resolve("worker.key").toString())) {
            assertThat(d.waitForExit(30_000)).isNotZero();
            assertThat(d.output()).contains("authorizedKeys").contains("any client could connect");
        }
    }
}
