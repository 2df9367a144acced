package io.brokest;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Client settings that cannot work are refused when set, saying which and why. */
@Timeout(60)
class ClientSettingsTest {

    @Test
    void negativeTimeoutsAndOtherImpossibleSettingsAreRefused() {
        assertThatThrownBy(() -> Brokest.builder().closeTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("closeTimeout must not be negative, was PT-1S");
        assertThatThrownBy(() -> Brokest.builder().noWorkerTimeout(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("noWorkerTimeout must not be negative, was PT-0.005S");
        assertThatThrownBy(() -> Brokest.builder().maxPending(0, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPending must be >= 1");
        assertThatThrownBy(() -> Brokest.builder().heartbeat(Duration.ZERO, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heartbeat must be >= 10 ms");
        assertThatThrownBy(() -> Brokest.builder().maxMessageBytes(5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxMessageBytes must be >= 1024");
        assertThatThrownBy(() -> Brokest.builder().spinWait(Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("spinWait must not be negative, was PT-0.000000001S");
        assertThatThrownBy(() -> Brokest.builder().spinWait(Duration.ofMillis(11)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spinWait must be at most 10 ms");
    }

    @Test
    void aZeroNoWorkerTimeoutFailsATaskAtTheFirstCheckWhenNoWorkerAnswers() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // nothing listens there once closed
        }
        try (Brokest brokest = Brokest.builder().workers("tcp://127.0.0.1:" + port).noWorkerTimeout(Duration.ZERO)
                .build()) {
            assertThatThrownBy(() -> brokest.submit(() -> 1).get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(WorkerLostException.class)
                    .hasMessageContaining("no worker was reachable for 0 ms");
        }
    }
}
