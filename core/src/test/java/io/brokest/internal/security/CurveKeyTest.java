package io.brokest.internal.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.zeromq.ZMQ;

class CurveKeyTest {

    @Test
    void parsesAZ85KeyAndDerivesThePublicKeyFromTheSecret() {
        ZMQ.Curve.KeyPair pair = ZMQ.Curve.generateKeyPair();
        CurveKey secret = CurveKey.parse(pair.secretKey, "test");
        assertThat(secret.publicFromSecret().z85()).isEqualTo(pair.publicKey);
        assertThat(CurveKey.parse("  " + pair.publicKey + "\n", "test").z85()).isEqualTo(pair.publicKey);
    }

    @Test
    void aKeyOfTheWrongLengthNamesItsSourceAndTheFix() {
        assertThatThrownBy(() -> CurveKey.parse("abc", "keys/alice.pub line 1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keys/alice.pub line 1")
                .hasMessageContaining("40 characters")
                .hasMessageContaining("keygen");
    }

    @Test
    void aCharacterOutsideZ85IsReportedWithItsPosition() {
        String key = ZMQ.Curve.generateKeyPair().publicKey;
        String bad = key.substring(0, 10) + "\"" + key.substring(11);
        assertThatThrownBy(() -> CurveKey.parse(bad, "src"))
                .hasMessageContaining("position 11")
                .hasMessageContaining("not a Z85 character");
    }

    @Test
    void toStringNeverShowsTheKey() {
        String secret = ZMQ.Curve.generateKeyPair().secretKey;
        assertThat(CurveKey.parse(secret, "s").toString()).doesNotContain(secret.substring(0, 6));
    }
}
