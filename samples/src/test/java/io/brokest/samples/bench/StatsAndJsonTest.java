package io.brokest.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StatsAndJsonTest {
    @Test
    void percentilesByNearestRank() {
        double[] values = {5, 1, 4, 2, 3};
        assertThat(Stats.median(values)).isEqualTo(3);
        assertThat(Stats.percentile(values, 99)).isEqualTo(5);
        assertThat(Stats.percentile(values, 0)).isEqualTo(1);
    }

    @Test
    void roundsEachValueAndKeepsTheirOrder() {
        assertThat(Stats.rounded(new double[] {0.51234, 0.49876, 0.5}, 3)).containsExactly(0.512, 0.499, 0.5);
        assertThat(Stats.round(Double.NaN, 2)).isNaN(); // "not measured" must not print as 0
    }

    @Test
    void standardErrorOfADifferenceOfMediansMatchesTheNormalTheory() {
        // for normal samples, the median's standard error is 1.2533 sigma / sqrt(n): with sigma 2 and n 101
        // on both sides, the difference's is 1.2533 * 2 * sqrt(2 / 101) = 0.353. One sample's bootstrap
        // estimate strays by a third either way, so the test averages twenty.
        Random random = new Random(7);
        double sum = 0;
        for (int dataset = 0; dataset < 20; dataset++) {
            double[] a = new double[101];
            double[] b = new double[101];
            for (int i = 0; i < a.length; i++) {
                a[i] = 10 + 2 * random.nextGaussian();
                b[i] = 2 * random.nextGaussian();
            }
            double standardError = Stats.medianDifferenceStandardError(a, b, 2_000);
            sum += standardError;
            // it measures spread, not where the samples lie; and the same figures give the same answer
            double[] shifted = a.clone();
            for (int i = 0; i < shifted.length; i++) {
                shifted[i] += 1_000;
            }
            assertThat(Stats.medianDifferenceStandardError(shifted, b, 2_000)).isCloseTo(standardError, within(1e-9));
            assertThat(Stats.medianDifferenceStandardError(a, b, 2_000)).isEqualTo(standardError);
        }
        assertThat(sum / 20).isCloseTo(0.353, within(0.07));
    }

    @Test
    void noStandardErrorFromTooFewRepetitionsAndNoneWithoutSpread() {
        double[] three = {1, 2, 3};
        double[] five = {1, 2, 3, 4, 5};
        assertThat(Stats.medianDifferenceStandardError(three, five, 100)).isNaN();
        assertThat(Stats.medianDifferenceStandardError(five, three, 100)).isNaN();
        double[] flat = {4, 4, 4, 4, 4, 4};
        assertThat(Stats.medianDifferenceStandardError(flat, flat, 100)).isZero();
        assertThat(Stats.medianDifferenceStandardError(five, five, 100)).isGreaterThan(0.3);
    }

    @Test
    void writesNestedJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", 1);
        m.put("b", List.of(1.5, "x\"y"));
        m.put("c", Double.NaN);
        assertThat(Json.write(m).replaceAll("\\s", "")).isEqualTo("{\"a\":1,\"b\":[1.5,\"x\\\"y\"],\"c\":null}");
    }

    @Test
    void targetsJudgeTheFiguresAndShowASleepRowsStandardErrorWhereItHasOne() {
        Map<String, Object> tenThreads = new LinkedHashMap<>();
        tenThreads.put("tasks", 1000);
        tenThreads.put("layout", "2 workers x 10 threads");
        tenThreads.put("differencePp", 0.53);
        tenThreads.put("differenceStandardErrorPp", 0.24);
        Map<String, Object> oneThread = new LinkedHashMap<>();
        oneThread.put("tasks", 1000);
        oneThread.put("layout", "1 worker x 1 thread");
        oneThread.put("differencePp", -0.3);
        oneThread.put("differenceStandardErrorPp", Double.NaN); // three repetitions
        Map<String, Object> hundred = new LinkedHashMap<>(tenThreads);
        hundred.put("tasks", 100);
        Map<String, Object> noop = new LinkedHashMap<>();
        noop.put("p50RatioToRaw", 1.2);
        noop.put("p50RatioToRawSpinning", 1.31);
        noop.put("throughputRatioToRawKryo", 0.2);
        noop.put("prefetch1000ThroughputRatioToRawKryo", 0.5);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("sleepTasks", List.of(tenThreads, oneThread, hundred));
        results.put("noop", noop);

        List<Map<String, Object>> targets = Bench.targets(results);

        assertThat(targets).extracting(t -> t.get("figure"))
                .containsExactly("+0.53 pp (± 0.24)", "-0.30 pp", "1.20 x; 1.31 x", "0.200", "0.500");
        assertThat(targets).extracting(t -> t.get("met")).containsExactly(false, true, false, false, true);
    }
}
