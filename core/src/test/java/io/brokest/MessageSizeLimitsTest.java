package io.brokest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client and a worker whose largest messages differ: what one side would send beyond the other's
 * limit fails that task with the sizes in its message, instead of making the other side's socket drop
 * the connection (which looked like a lost worker, re-ran the task on reconnect, and ended in
 * WorkerLostException).
 */
@Timeout(60)
class MessageSizeLimitsTest {
    @Test
    void aTaskLargerThanTheWorkerAcceptsFailsAtOnceSayingSoAndTheWorkerKeepsServing() throws Exception {
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(1)
                .maxMessageBytes(1 << 20).start();
             Brokest brokest = Brokest.connect(worker.endpoint())) { // the client's own limit: 64 MiB
            assertThat(brokest.submit(() -> "warm").get(20, TimeUnit.SECONDS)).isEqualTo("warm");
            byte[] twoMegabytes = new byte[2 << 20];

            CompletableFuture<Integer> big = brokest.submit(() -> twoMegabytes.length);

            assertThatThrownBy(() -> big.get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(TaskSerializationException.class)
                    .hasMessageContaining("bytes serialized, more than the workers taking tasks accept ("
                            + worker.endpoint() + ": 1048576 bytes)")
                    .hasMessageContaining("--max-message-size");
            assertThat(brokest.submit(() -> "still connected").get(20, TimeUnit.SECONDS)).isEqualTo("still connected");
        }
    }

    @Test
    void aResultLargerThanTheClientAcceptsFailsThatTaskOnlyAndTheConnectionStays() throws Exception {
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(1).start();
             Brokest brokest = Brokest.builder().workers(worker.endpoint()).maxMessageBytes(64 * 1024).build()) {
            CompletableFuture<byte[]> big = brokest.submit(() -> new byte[200 * 1024],
                    TaskOptions.defaults().withMaxRetries(0));

            assertThatThrownBy(() -> big.get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(TaskSerializationException.class)
                    .hasMessageContaining("larger than the maximum message size of 65536 bytes");
            assertThat(brokest.submit(() -> "still connected").get(20, TimeUnit.SECONDS)).isEqualTo("still connected");
        }
    }
}
