package io.brokest.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.brokest.Brokest;
import io.brokest.testing.BrokestExtension;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The demo's tasks, run through a real in-process worker: serialized, shipped and run in isolation. */
@Timeout(30)
@ExtendWith(BrokestExtension.class)
class DemoSampleTest {
    @Test
    void lambdaCapturingLocals(Brokest brokest) throws Exception {
        int x = 5;
        List<Integer> xs = List.of(1, 2, 3);
        assertThat(brokest.submit(() -> x * xs.size()).get(10, TimeUnit.SECONDS)).isEqualTo(15);
    }

    @Test
    void methodReferenceAndTwoArguments(Brokest brokest) throws Exception {
        assertThat(brokest.queue(DemoSample::square, 7).get(10, TimeUnit.SECONDS)).isEqualTo(49);
        assertThat(brokest.queue((String s, Integer n) -> s.repeat(n), "ab", 3).get(10, TimeUnit.SECONDS))
                .isEqualTo("ababab");
    }

    @Test
    void taskObject(Brokest brokest) throws Exception {
        assertThat(brokest.submit(new DemoSample.WordCount("the quick brown fox")).get(10, TimeUnit.SECONDS))
                .isEqualTo(4);
    }

    @Test
    void taskThatThrows(Brokest brokest) {
        CompletableFuture<Object> f = brokest.submit(() -> {
            throw new IllegalStateException("inventory for sku-42 is negative");
        });
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("inventory for sku-42 is negative");
    }

    @Test
    void theWholeDemoRuns(Brokest brokest) throws Exception {
        DemoSample.run(brokest);
        assertThat(brokest.pendingTasks()).isZero();
    }
}
