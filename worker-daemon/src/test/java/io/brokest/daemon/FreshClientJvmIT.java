package io.brokest.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What only a JVM that has done nothing else yet shows, as a user's small client program would. */
@Timeout(60)
class FreshClientJvmIT {

    @Test
    void dataNestedTooDeepIsRefusedWithAClearMessageAndLeavesTheJvmWhole() throws Exception {
        // before: Kryo's error path first initialized StringBuffer at the bottom of an overflowed stack,
        // and from then on every use of StringBuffer in that JVM threw NoClassDefFoundError
        // (as small as a user's: no logging provider, whose date format would initialize StringBuffer)
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("slf4j-simple"))
                .collect(Collectors.joining(File.pathSeparator));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process client = new ProcessBuilder(List.of(java, "-cp", classPath, DeepCaptureClient.class.getName()))
                .redirectErrorStream(true).start();
        String output = readAll(client.getInputStream());
        assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(client.exitValue()).as(output).isZero();
        assertThat(output)
                .contains("refused: task ")
                .contains("cannot be serialized: it is nested too deep")
                .contains("the JVM's classes still work");
    }

    private static String readAll(InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
