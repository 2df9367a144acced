package io.brokest.testing;

// The README's "Testing your tasks" example, verbatim, so that it keeps compiling and passing.
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.brokest.Brokest;
import io.brokest.TaskOptions;
import io.brokest.WorkerLostException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(30)
class PricingTasksTest {
    @RegisterExtension
    static BrokestExtension brokest = BrokestExtension.builder()
            .workers(2).threads(2)
            .heartbeat(Duration.ofMillis(100), 5) // a lost worker is noticed in 0.5 s, not 3 s
            .perMethod()                          // fresh workers per test: some tests kill one
            .build();

    static int price(int quantity) {
        return quantity * 7;
    }

    @Test
    void computesAPrice(Brokest client) throws Exception {
        assertThat(client.queue(PricingTasksTest::price, 6).get(10, TimeUnit.SECONDS)).isEqualTo(42);
    }

    @Test
    void aTaskThatMustNotRunTwiceFailsWhenItsWorkerDies(Brokest client, BrokestWorkers workers)
            throws Exception {
        workers.get(0).slowDown(Duration.ofSeconds(30)); // keep the task on its worker...
        workers.get(1).slowDown(Duration.ofSeconds(30));
        CompletableFuture<Integer> f = client.submit(() -> price(1), TaskOptions.defaults().withMaxRetries(0));
        workers.awaitWorkerRunningTask(Duration.ofSeconds(5)).kill(); // ...and kill it, like kill -9
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(WorkerLostException.class);
    }
}
