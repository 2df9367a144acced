package io.brokest.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.brokest.samples.LocalDaemons;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The transport floor against the benchmark's echo server, started in its own JVM as the bench does. */
class TransportFloorTest {
    private static LocalDaemons echo;

    @BeforeAll
    static void startEchoServer() throws Exception {
        echo = LocalDaemons.startMain(EchoServer.class.getName(), "tcp://127.0.0.1:*");
    }

    @AfterAll
    static void stopEchoServer() {
        echo.close();
    }

    @Test
    void everyTaskEndOwesExactlyOneRoundTripEvenFromManyThreadsAtOnce() throws Exception {
        try (TransportFloor floor = new TransportFloor(echo.endpoints().get(0), 174)) {
            List<Thread> enders = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread ender = new Thread(() -> {
                    for (int i = 0; i < 2_500; i++) {
                        floor.taskEnded();
                    }
                });
                enders.add(ender);
                ender.start();
            }
            for (Thread ender : enders) {
                ender.join();
            }
            assertThat(floor.awaitRoundTrips(10_000, 60_000)).as("all round trips back").isTrue();
            assertThat(floor.awaitRoundTrips(10_001, 300)).as("no round trip without a task end").isFalse();
            assertThat(floor.roundTrips()).isEqualTo(10_000);
        }
    }

    @Test
    void warmsUpInBurstsAndThenServesTaskEndsAsBefore() throws Exception {
        try (TransportFloor floor = new TransportFloor(echo.endpoints().get(0), 174)) {
            floor.warmUp(200);
            long afterWarmUp = floor.roundTrips();
            assertThat(afterWarmUp).as("at least one burst of 1,000").isGreaterThanOrEqualTo(1_000);
            floor.taskEnded();
            assertThat(floor.awaitRoundTrips(afterWarmUp + 1, 60_000)).isTrue();
        }
    }
}
