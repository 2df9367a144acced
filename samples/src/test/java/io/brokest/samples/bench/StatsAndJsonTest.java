package io.brokest.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    }

    @Test
    void writesNestedJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", 1);
        m.put("b", List.of(1.5, "x\"y"));
        m.put("c", Double.NaN);
        assertThat(Json.write(m).replaceAll("\\s", "")).isEqualTo("{\"a\":1,\"b\":[1.5,\"x\\\"y\"],\"c\":null}");
    }
}
