package io.brokest.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.brokest.BrokestWorker;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker whose ZeroMQ I/O thread dies must not stay up deaf: it stops and says so, so clients fail
 * over and a supervisor can restart it.
 */
@Timeout(30)
class FatalErrorTest {

    @Test
    void aDeadZeroMqThreadStopsTheWorkerAndFailsWhenStopped() throws Exception {
        WorkerEngine engine = new WorkerEngine(new WorkerConfig("tcp://127.0.0.1:*", 1, 1, 1 << 20, 1000, 3,
                5_000, 1 << 20));
        Thread ioThread = new Thread(() -> { }, "iothread-under-test");
        // what JeroMQ does when one of its threads throws
        engine.context().getUncaughtExceptionHandler().uncaughtException(ioThread, new OutOfMemoryError("boom"));
        assertThatThrownBy(() -> engine.whenStopped().get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().hasMessageContaining("ZeroMQ thread iothread-under-test died")
                .hasMessageContaining("boom");
        assertThat(engine.isClosed()).isTrue(); // whenStopped completes only once the stop is done
    }

    @Test
    void aNormalCloseCompletesWhenStoppedNormally() throws Exception {
        try (BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(1).start()) {
            assertThat(worker.whenStopped()).isNotDone();
            worker.close();
            assertThat(worker.whenStopped().get(10, TimeUnit.SECONDS)).isNull();
        }
    }
}
