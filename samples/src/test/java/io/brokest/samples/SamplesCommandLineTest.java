package io.brokest.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** A sample that fails says why in one line and exits with 1, instead of printing picocli's stack. */
@Timeout(30)
class SamplesCommandLineTest {
    @Test
    void aMalformedWorkerEndpointFailsWithOneLineSayingWhatWasExpected() {
        CommandLine commandLine = Samples.commandLine();
        StringWriter err = new StringWriter();
        commandLine.setErr(new PrintWriter(err, true));

        int exitCode = commandLine.execute("demo", "--workers", "worker-1:5555");

        assertThat(exitCode).isEqualTo(1);
        assertThat(err.toString().strip())
                .startsWith("error: IllegalArgumentException: invalid worker endpoint 'worker-1:5555'")
                .contains("expected tcp://HOST:PORT")
                .doesNotContain("\tat ");
    }

    @Test
    void aFailureIsDescribedWithItsCausesAndWithoutTheWrapperThatAddsNothing() {
        Exception failure = new IllegalStateException("the demo failed",
                new ExecutionException(new ArithmeticException("/ by zero")));
        assertThat(Samples.describe(failure)).isEqualTo(
                "IllegalStateException: the demo failed; caused by ArithmeticException: / by zero");
        assertThat(Samples.describe(new TimeoutException())).contains("timed out waiting for a result");
        Exception quoting = new java.io.IOException("could not start: jar not found",
                new java.io.IOException("jar not found"));
        assertThat(Samples.describe(quoting)).isEqualTo("IOException: could not start: jar not found");
    }

    @Test
    void optionsThatCannotWorkAreRefusedBeforeAnythingStarts() {
        String[][] cases = {
                {"logs", "--lines", "-5"},
                {"logs", "--lines", "2000000000"},
                {"pi", "--darts", "0"},
                {"pi", "--darts", "10", "--tasks", "40"},
                {"bench", "--quick", "--full"},
                {"bench", "--quick", "--output", "/no/such/directory/bench.json"},
        };
        String[] expected = {"--lines must be at least 1, was -5",
                "--lines 2,000,000,000 needs about 320.0 GB of heap to hold the generated log, and this JVM may use ",
                "--darts must be at least 40, was 0",
                "--darts must be at least 40, was 10", "choose one of --quick and --full",
                "--output /no/such/directory/bench.json cannot be written: /no/such/directory is not a directory"};
        for (int i = 0; i < cases.length; i++) {
            CommandLine commandLine = Samples.commandLine();
            StringWriter err = new StringWriter();
            commandLine.setErr(new PrintWriter(err, true));
            assertThat(commandLine.execute(cases[i])).isEqualTo(2);
            assertThat(err.toString()).contains(expected[i]);
        }
    }
}
