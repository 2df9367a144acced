package io.brokest.internal.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {
    @TempDir
    Path dir;

    @Test
    void generatesAPublicFileOfOneLineAndAPrivateSecretFile() throws Exception {
        KeyFiles.Generated g = KeyFiles.generate(dir, "worker-1");
        assertThat(g.publicFile()).hasFileName("worker-1.pub");
        assertThat(Files.readAllLines(g.publicFile())).containsExactly(g.publicKey());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(g.secretFile()))).isEqualTo("rw-------");
        assertThat(KeyFiles.loosePermissions(g.secretFile())).isNull();
        KeyPair pair = KeyFiles.readSecret(g.secretFile());
        assertThat(pair.publicKey().z85()).isEqualTo(g.publicKey());
        assertThat(KeyFiles.readPublic(g.publicFile())).isEqualTo(pair.publicKey());
    }

    @Test
    void refusesToOverwriteAKey() throws Exception {
        KeyFiles.generate(dir, "alice");
        assertThatThrownBy(() -> KeyFiles.generate(dir, "alice"))
                .isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining("refusing to overwrite");
    }

    @Test
    void aSecretReadableByOthersIsFlaggedWithTheFix() throws Exception {
        KeyFiles.Generated g = KeyFiles.generate(dir, "loose");
        Files.setPosixFilePermissions(g.secretFile(), PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(KeyFiles.loosePermissions(g.secretFile())).contains("rw-r--r--").contains("chmod 600");
    }

    @Test
    void aFileWithoutAKeySaysHowToMakeOne() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pub"), "# nothing here\n\n");
        assertThatThrownBy(() -> KeyFiles.readPublic(empty)).hasMessageContaining("keygen");
        assertThatThrownBy(() -> KeyFiles.readPublic(dir.resolve("missing.pub")))
                .hasMessageContaining("missing.pub");
    }

    @Test
    void aPublicFileMayCarryCommentsAndANameAfterTheKey() throws Exception {
        KeyFiles.Generated g = KeyFiles.generate(dir, "named");
        Path annotated = Files.writeString(dir.resolve("annotated.pub"), "# bob's laptop\n" + g.publicKey() + " bob\n");
        assertThat(KeyFiles.readPublic(annotated).z85()).isEqualTo(g.publicKey());
    }
}
