package io.brokest.daemon;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Waiting, with a deadline, for what tasks in daemon JVMs leave behind. */
final class Await {
    private Await() {
    }

    /**
     * Waits until the file exists (a task in another JVM created it), failing after 30 s. Another
     * process's side effect cannot complete a future here, so this polls; correctness rests on the
     * deadline, not on the interval.
     */
    static void file(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " did not appear within 30 s");
            }
            Thread.sleep(10);
        }
    }
}
