package io.brokest.daemon;

import io.brokest.Brokest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A client JVM that submits a long task and is then killed by the test without closing. */
public final class CrashingClient {
    public static void main(String[] args) throws Exception {
        String endpoint = args[0];
        String dir = args[1];
        Brokest brokest = Brokest.builder().workers(endpoint).name("crashing-client")
                .heartbeat(Duration.ofMillis(250), 3).build();
        brokest.submit(() -> {
            Files.createFile(Path.of(dir, "started"));
            try {
                Thread.sleep(120_000);
            } catch (InterruptedException e) {
                Files.createFile(Path.of(dir, "interrupted"));
            }
            return 0;
        });
        Thread.sleep(120_000); // until killed
    }
}
