package io.brokest.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class DemoSampleTest {
    @Test
    void printsEveryKindOfTask() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (SampleWorkers w = new SampleWorkers()) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            DemoSample.run(w.brokest);
        } finally {
            System.setOut(original);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8))
                .contains("= 15", "= 49", "= ababab", "= 4", "inventory for sku-42 is negative");
    }
}
