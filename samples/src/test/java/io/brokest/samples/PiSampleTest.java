package io.brokest.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PiSampleTest {
    @Test
    void estimatesPiOnWorkersExactlyAsLocally() {
        try (SampleWorkers w = new SampleWorkers()) {
            double pi = PiSample.estimate(w.brokest, 400_000, 4);
            assertThat(pi).isCloseTo(Math.PI, within(0.02));
            long local = 0;
            for (int i = 0; i < 4; i++) {
                local += PiSample.countInside(100_000, 1_000_003L * i);
            }
            assertThat(pi).isEqualTo(4.0 * local / 400_000); // same seeds, same darts
        }
    }
}
