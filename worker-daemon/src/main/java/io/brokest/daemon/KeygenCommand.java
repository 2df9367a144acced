package io.brokest.daemon;

import io.brokest.internal.security.KeyFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar worker-daemon.jar keygen --out DIR --name NAME}: writes a CURVE key pair, the
 * public key to {@code NAME.pub} (share it) and the secret key to {@code NAME.key} (mode 600, never
 * share it). One pair for each worker and each client.
 */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Writes a CURVE key pair: NAME.pub (public, share it) and NAME.key (secret, mode 600).")
final class KeygenCommand implements Callable<Integer> {
    @Option(names = "--out", paramLabel = "DIR", required = true, description = "directory for the key files")
    Path out;

    @Option(names = "--name", paramLabel = "NAME", required = true,
            description = "base name of the files, e.g. worker-1 or alice")
    String name;

    @Override
    public Integer call() {
        try {
            KeyFiles.Generated g = KeyFiles.generate(out, name);
            System.out.println("public key " + g.publicKey());
            System.out.println("wrote " + g.publicFile() + " (public: give it to the other side)");
            System.out.println("wrote " + g.secretFile() + " (secret, mode 600: keep it here)");
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("keygen: " + e.getMessage());
            return 2;
        }
    }
}
