package io.brokest.internal.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

/**
 * Key files on disk. {@code NAME.pub} holds a public key, {@code NAME.key} a secret key; each is one
 * Z85 key on its own line, with optional comment lines starting with {@code #}. A secret key file must be readable
 * by its owner alone: it is created with mode 600, and a looser mode draws a warning when it is read
 * (not a refusal: on file systems without POSIX modes there is nothing to check).
 */
public final class KeyFiles {
    private static final Logger LOG = LoggerFactory.getLogger(KeyFiles.class);

    /** A generated pair of files. */
    public record Generated(Path publicFile, Path secretFile, String publicKey) {
    }

    private KeyFiles() {
    }

    /**
     * Generates a key pair and writes {@code dir/NAME.pub} and {@code dir/NAME.key} (mode 600).
     * Refuses to overwrite existing files, since losing a secret key locks its owner out.
     */
    public static Generated generate(Path dir, String name) throws IOException {
        if (name == null || !name.matches("[A-Za-z0-9._-]+") || name.startsWith(".")) {
            throw new IllegalArgumentException("key name '" + name + "' must be letters, digits, '.', '_' or '-'");
        }
        Files.createDirectories(dir);
        Path pub = dir.resolve(name + ".pub");
        Path key = dir.resolve(name + ".key");
        for (Path p : List.of(pub, key)) {
            if (Files.exists(p)) {
                throw new FileAlreadyExistsException(p.toString(), null,
                        "refusing to overwrite an existing key file; delete it first or pick another --name");
            }
        }
        ZMQ.Curve.KeyPair pair = ZMQ.Curve.generateKeyPair();
        writeSecret(key, "# Brokest CURVE secret key '" + name + "'. Keep it private: mode 600, never share it.\n"
                + pair.secretKey + "\n");
        Files.writeString(pub, pair.publicKey + "\n", StandardCharsets.US_ASCII);
        return new Generated(pub, key, pair.publicKey);
    }

    private static void writeSecret(Path file, String content) throws IOException {
        boolean posix = Files.getFileStore(file.getParent()).supportsFileAttributeView(PosixFileAttributeView.class);
        if (posix) {
            // created with mode 600 from the start: no window in which others could read it
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
        Files.writeString(file, content, StandardCharsets.US_ASCII);
    }

    /** Reads a secret key file and derives its public key. */
    public static KeyPair readSecret(Path file) {
        warnIfLoose(file);
        CurveKey secret = readKey(file, "secret key");
        return new KeyPair(secret.publicFromSecret(), secret);
    }

    /** Reads a public key file (the first key in it; a name after the key is ignored). */
    public static CurveKey readPublic(Path file) {
        return readKey(file, "public key");
    }

    private static CurveKey readKey(Path file, String what) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the " + what + " file " + file + ": " + e, e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (CurveKey.isCommentOrBlank(line)) {
                continue;
            }
            String token = line.split("\\s+", 2)[0];
            return CurveKey.parse(token, file + " line " + (i + 1));
        }
        throw new IllegalArgumentException(file + " holds no " + what + "; generate one with "
                + "'java -jar worker-daemon.jar keygen --out DIR --name NAME'");
    }

    /**
     * The reason a secret key file is too open (group or others may read or write it), or null when
     * it is private or the file system has no POSIX modes.
     */
    public static String loosePermissions(Path file) {
        try {
            if (!Files.getFileStore(file).supportsFileAttributeView(PosixFileAttributeView.class)) {
                return null;
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            Set<PosixFilePermission> loose = Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);
            for (PosixFilePermission p : perms) {
                if (loose.contains(p)) {
                    return "secret key file " + file + " has mode " + PosixFilePermissions.toString(perms)
                            + ": other users may read it; run 'chmod 600 " + file + "'";
                }
            }
            return null;
        } catch (IOException e) {
            return null; // the read that follows reports a missing file properly
        }
    }

    private static void warnIfLoose(Path file) {
        String why = loosePermissions(file);
        if (why != null) {
            LOG.warn(why);
        }
    }
}
