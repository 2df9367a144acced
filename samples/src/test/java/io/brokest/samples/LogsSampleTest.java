package io.brokest.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class LogsSampleTest {
    @Test
    void parsesOneLineOfCombinedLogFormat() {
        LogsSample.LogStats stats = LogsSample.parse(
                "10.1.0.7 - - [01/May/2024:13:05:09 +0000] \"GET /cart HTTP/1.1\" 200 5120 \"-\" \"curl/8.5.0\"\n"
                        + "not a log line\n");
        assertThat(stats.lines()).isEqualTo(2);
        assertThat(stats.malformed()).isEqualTo(1);
        assertThat(stats.statusCounts()).containsExactly(Map.entry(200, 1L));
        assertThat(stats.topPaths(1)).containsExactly(Map.entry("/cart", 1L));
        assertThat(stats.bytesPerHour()).containsExactly(Map.entry("01/May/2024:13", 5120L));
    }

    @Test
    void generatedTrafficIsSpreadOverTheWholeDayEvenForLargeLogs() {
        LogsSample.LogStats stats = LogsSample.analyzeSequentially(LogsSample.generate(200_000, 20_000, 3));
        assertThat(stats.bytesPerHour()).hasSize(24);
        long max = stats.bytesPerHour().values().stream().mapToLong(Long::longValue).max().orElseThrow();
        long min = stats.bytesPerHour().values().stream().mapToLong(Long::longValue).min().orElseThrow();
        assertThat(max).isLessThan(min * 2); // was: every line past 86,400 landed in hour 23
    }

    @Test
    void workersAgreeWithTheSequentialLoop() {
        List<String> chunks = LogsSample.generate(5_000, 1_000, 1);
        LogsSample.LogStats expected = LogsSample.analyzeSequentially(chunks);
        try (SampleWorkers w = new SampleWorkers()) {
            LogsSample.LogStats actual = LogsSample.analyze(w.brokest, chunks);
            assertThat(actual.lines()).isEqualTo(5_000);
            assertThat(actual.malformed()).isZero();
            assertThat(actual.statusCounts()).isEqualTo(expected.statusCounts());
            assertThat(actual.bytesPerHour()).isEqualTo(expected.bytesPerHour());
            assertThat(actual.topPaths(5)).isEqualTo(expected.topPaths(5));
            assertThat(actual.report()).contains("5,000 lines");
        }
    }
}
