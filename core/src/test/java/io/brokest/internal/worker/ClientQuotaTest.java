package io.brokest.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.brokest.internal.wire.Message;
import org.junit.jupiter.api.Test;

class ClientQuotaTest {
    private static Message.Submit task(long id) {
        return new Message.Submit(id, 1, 0, new byte[0]);
    }

    @Test
    void runsUpToTheLimitThenWaitsAsManyThenRefuses() {
        ClientQuota q = new ClientQuota(2);
        assertThat(q.admit(task(1))).isEqualTo(ClientQuota.Admission.RUN);
        assertThat(q.admit(task(2))).isEqualTo(ClientQuota.Admission.RUN);
        assertThat(q.admit(task(3))).isEqualTo(ClientQuota.Admission.WAIT);
        assertThat(q.admit(task(4))).isEqualTo(ClientQuota.Admission.WAIT);
        assertThat(q.admit(task(5))).isEqualTo(ClientQuota.Admission.REJECT);
        assertThat(q.isWaiting(3)).isTrue();

        assertThat(q.release().taskId()).isEqualTo(3); // a slot freed: the oldest waiting task runs
        assertThat(q.active()).isEqualTo(2);
        assertThat(q.removeWaiting(4).taskId()).isEqualTo(4);
        assertThat(q.release()).isNull();
        assertThat(q.active()).isEqualTo(1);
    }

    @Test
    void aClosedQuotaRunsNothingMore() {
        ClientQuota q = new ClientQuota(1);
        q.admit(task(1));
        q.admit(task(2));
        q.close();
        assertThat(q.release()).isNull();
        assertThat(q.waitingCount()).isZero();
        assertThat(q.admit(task(3))).isEqualTo(ClientQuota.Admission.REJECT);
    }
}
