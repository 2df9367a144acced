package io.brokest.internal.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.ZMQ;

class AuthorizedKeysTest {
    @TempDir
    Path dir;

    private final String alice = ZMQ.Curve.generateKeyPair().publicKey;
    private final String bob = ZMQ.Curve.generateKeyPair().publicKey;

    @Test
    void parsesKeysWithNamesCommentsAndBlankLines() {
        AuthorizedKeys.Parsed p = AuthorizedKeys.parse("# clients\n\n" + alice + " alice laptop\n  " + bob
                + "\n# " + alice + " commented out\n#" + bob + "\n", "f");
        assertThat(p.errors()).isEmpty();
        assertThat(p.keys()).containsEntry(alice, "alice laptop").containsEntry(bob, "").hasSize(2);
    }

    @Test
    void aHashInsideAKeyDoesNotStartAComment() {
        String withHash = ZMQ.Curve.generateKeyPair().publicKey;
        for (int i = 0; i < 10_000 && withHash.indexOf('#') < 0; i++) {
            withHash = ZMQ.Curve.generateKeyPair().publicKey;
        }
        assertThat(withHash).contains("#");
        AuthorizedKeys.Parsed p = AuthorizedKeys.parse(withHash + " carol\n", "f");
        assertThat(p.errors()).isEmpty();
        assertThat(p.keys()).containsOnlyKeys(withHash);
    }

    @Test
    void aBadLineIsReportedWithItsLineNumber() {
        AuthorizedKeys.Parsed p = AuthorizedKeys.parse(alice + "\nnot-a-key\n", "auth.txt");
        assertThat(p.keys()).containsOnlyKeys(alice);
        assertThat(p.errors()).singleElement().asString().contains("auth.txt line 2");
    }

    @Test
    void loadingAFileWithABadLineFailsAtStartup() throws Exception {
        Path file = Files.writeString(dir.resolve("auth"), alice + "\n" + alice.substring(1) + "\n");
        assertThatThrownBy(() -> AuthorizedKeys.load(file)).hasMessageContaining("line 2");
        assertThatThrownBy(() -> AuthorizedKeys.load(dir.resolve("none"))).hasMessageContaining("cannot read");
    }

    @Test
    void aFileAnyUserMayWriteIsRefusedAtStartupAndAcceptsNobodyOnReloadUntilFixed() throws Exception {
        Path file = Files.writeString(dir.resolve("auth"), alice + " alice\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--rw-"));
        assertThatThrownBy(() -> AuthorizedKeys.load(file))
                .hasMessageContaining("can be written by any user (mode rw-r--rw-)")
                .hasMessageContaining("chmod o-w " + file);

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        try (AuthorizedKeys keys = AuthorizedKeys.load(file)) {
            assertThat(keys.contains(alice)).isTrue();
            // made writable by anyone while the worker runs: nobody is trusted, as for a file that is gone
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
            assertThat(keys.reloadIfChanged()).isTrue();
            assertThat(keys.contains(alice)).isFalse();
            assertThat(keys.reloadIfChanged()).isFalse(); // still refused, and said once
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            assertThat(keys.reloadIfChanged()).isTrue();
            assertThat(keys.contains(alice)).isTrue();
        }
        // a file its group may write is only warned about
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw----"));
        try (AuthorizedKeys keys = AuthorizedKeys.load(file)) {
            assertThat(keys.contains(alice)).isTrue();
        }
    }

    @Test
    void reloadAddsAndRevokesKeysAndFailsClosed() throws Exception {
        Path file = Files.writeString(dir.resolve("auth"), alice + " alice\n");
        try (AuthorizedKeys keys = AuthorizedKeys.load(file)) {
            assertThat(keys.contains(alice)).isTrue();
            assertThat(keys.contains(bob)).isFalse();
            assertThat(keys.reloadIfChanged()).isFalse();

            replace(file, alice + "\n" + bob + "\n");
            assertThat(keys.reloadIfChanged()).isTrue();
            assertThat(keys.contains(bob)).isTrue();

            replace(file, bob + "\n");
            assertThat(keys.reloadIfChanged()).isTrue();
            assertThat(keys.contains(alice)).isFalse();

            replace(file, bob + "\nbroken line\n"); // a typo only loses that line
            keys.reloadIfChanged();
            assertThat(keys.contains(bob)).isTrue();
            assertThat(keys.size()).isEqualTo(1);

            Files.delete(file); // gone: nobody
            assertThat(keys.reloadIfChanged()).isTrue();
            assertThat(keys.contains(bob)).isFalse();
        }
    }

    @Test
    void theWatcherPicksUpChanges() throws Exception {
        Path file = Files.writeString(dir.resolve("auth"), alice + "\n");
        try (AuthorizedKeys keys = AuthorizedKeys.load(file)) {
            keys.watch(java.time.Duration.ofMillis(20));
            replace(file, bob + "\n");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!keys.contains(bob) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(keys.contains(bob)).isTrue();
            assertThat(keys.contains(alice)).isFalse();
        }
    }

    private void replace(Path file, String content) throws Exception {
        Path tmp = Files.writeString(dir.resolve("auth.tmp"), content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
