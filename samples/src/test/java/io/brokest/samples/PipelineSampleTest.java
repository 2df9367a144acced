package io.brokest.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PipelineSampleTest {
    @Test
    void stagesComposeToTheSameResultAsALocalRun() throws Exception {
        List<List<PipelineSample.Order>> batches = PipelineSample.orders(6, 200, 3);
        Map<String, Long> prices = PipelineSample.priceList(11);
        Map<String, Long> expected = new TreeMap<>();
        for (List<PipelineSample.Order> batch : batches) {
            PipelineSample.priceBatch(batch, prices).forEach((k, v) -> expected.merge(k, v, Long::sum));
        }
        try (SampleWorkers w = new SampleWorkers()) {
            PipelineSample.Result result = PipelineSample.run(w.brokest, batches, 11).get(30, TimeUnit.SECONDS);
            assertThat(result.revenueByRegion()).isEqualTo(expected);
            assertThat(result.ranking()).isEqualTo(PipelineSample.rank(expected));
            assertThat(result.ranking()).containsExactlyInAnyOrder(PipelineSample.REGIONS);
        }
    }
}
