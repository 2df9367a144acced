package io.brokest.internal.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BindPolicyTest {

    @Test
    void loopbackAddressesAreLoopback() {
        assertThat(BindPolicy.isLoopback("tcp://127.0.0.1:5555")).isTrue();
        assertThat(BindPolicy.isLoopback("tcp://127.0.0.1:*")).isTrue();
        assertThat(BindPolicy.isLoopback("tcp://localhost:5555")).isTrue();
        assertThat(BindPolicy.isLoopback("tcp://[::1]:5555")).isTrue();
        assertThat(BindPolicy.isLoopback("inproc://worker")).isTrue();
    }

    @Test
    void everythingElseIsNot() {
        assertThat(BindPolicy.isLoopback("tcp://*:5555")).isFalse();
        assertThat(BindPolicy.isLoopback("tcp://0.0.0.0:5555")).isFalse();
        assertThat(BindPolicy.isLoopback("tcp://10.1.2.3:5555")).isFalse();
        assertThat(BindPolicy.isLoopback("tcp://eth0:5555")).isFalse();
        assertThat(BindPolicy.isLoopback("nonsense")).isFalse();
    }

    @Test
    void aPublicBindWithoutCurveIsRefusedWithHowToSetUpKeys() {
        assertThatThrownBy(() -> BindPolicy.check("tcp://0.0.0.0:5555", false, false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tcp://0.0.0.0:5555")
                .hasMessageContaining("keygen")
                .hasMessageContaining("--authorized-keys")
                .hasMessageContaining("--insecure");
    }

    @Test
    void curveOrAnExplicitOptOutAllowsIt() {
        assertThatCode(() -> BindPolicy.check("tcp://*:5555", true, false)).doesNotThrowAnyException();
        assertThatCode(() -> BindPolicy.check("tcp://*:5555", false, true)).doesNotThrowAnyException();
        assertThatCode(() -> BindPolicy.check("tcp://127.0.0.1:5555", false, false)).doesNotThrowAnyException();
    }
}
