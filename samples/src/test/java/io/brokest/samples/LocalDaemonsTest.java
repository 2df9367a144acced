package io.brokest.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The worker daemons a sample starts never outlive it. */
@Timeout(120)
class LocalDaemonsTest {
    private static final Pattern PIDS = Pattern.compile("\\(pids \\[([0-9, ]+)]\\)");

    @Test
    void daemonsStartedByASampleStopWhenTheSampleIsKilled() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // a sample that would run for hours, killed (SIGTERM) as soon as its daemons are up
        Process sample = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Samples.class.getName(), "pi", "--darts", "100000000000").redirectErrorStream(true).start();
        List<Long> daemons = new ArrayList<>();
        try {
            CompletableFuture<String> ready = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(sample.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.startsWith("ready: ")) {
                            ready.complete(line);
                        }
                    }
                } catch (Exception e) {
                    // the sample is gone
                }
                ready.completeExceptionally(new AssertionError("the sample ended before its daemons were ready"));
            });
            reader.setDaemon(true);
            reader.start();
            Matcher pids = PIDS.matcher(ready.get(60, TimeUnit.SECONDS));
            assertThat(pids.find()).isTrue();
            Arrays.stream(pids.group(1).split(",\\s*")).map(Long::parseLong).forEach(daemons::add);
            assertThat(daemons).hasSize(2);

            sample.destroy();
            assertThat(sample.waitFor(30, TimeUnit.SECONDS)).isTrue();
            for (long pid : daemons) {
                Optional<ProcessHandle> daemon = ProcessHandle.of(pid);
                if (daemon.isPresent()) { // before, both ran on, orphaned, until killed by hand
                    daemon.get().onExit().get(30, TimeUnit.SECONDS);
                }
            }
        } finally {
            sample.destroyForcibly();
            for (long pid : daemons) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }
}
