package io.brokest.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AdaptiveCreditTest {
    private static final long MICROSECOND = 1_000;
    private static final long MILLISECOND = 1_000_000;

    @Test
    void startsAtTheThreadsPlusTheBasePrefetch() {
        assertThat(new AdaptiveCredit(2, 4, 1000, 10_000).granted()).isEqualTo(6);
        assertThat(new AdaptiveCredit(2, 4, 1000, 3).granted()).as("never above the per-client limit").isEqualTo(3);
    }

    @Test
    void shortTasksGrowTheCreditUntilAboutFiveMillisecondsOfWorkWaitPerThread() {
        AdaptiveCredit credit = new AdaptiveCredit(2, 4, 1000, 10_000);
        int announced = 0;
        for (int i = 0; i < 100; i++) {
            int c = credit.record(50 * MICROSECOND, 100);
            announced = c > 0 ? c : announced;
        }
        // 2 threads x 5 ms / 50 us = 200 queued, plus the 2 running
        assertThat(announced).isEqualTo(202);
        assertThat(credit.granted()).isEqualTo(202);
    }

    @Test
    void growthStopsAtTheMaximumPrefetchAndThePerClientLimit() {
        AdaptiveCredit capped = new AdaptiveCredit(2, 4, 1000, 10_000);
        AdaptiveCredit limited = new AdaptiveCredit(2, 4, 1000, 300);
        for (int i = 0; i < 50; i++) {
            capped.record(1, 100);
            limited.record(1, 100);
        }
        assertThat(capped.granted()).isEqualTo(1002);
        assertThat(limited.granted()).isEqualTo(300);
    }

    @Test
    void longTasksKeepTheBaseAndAGrownCreditFallsBackWhenTasksGetLonger() {
        AdaptiveCredit credit = new AdaptiveCredit(10, 10, 1000, 10_000);
        for (int i = 0; i < 20; i++) {
            assertThat(credit.record(10 * MILLISECOND, 100)).as("10 ms tasks: the base is plenty").isZero();
        }
        for (int i = 0; i < 100; i++) {
            credit.record(10 * MICROSECOND, 100);
        }
        assertThat(credit.granted()).isEqualTo(1010);
        int announced = 0;
        for (int i = 0; i < 100 && announced != 20; i++) {
            int c = credit.record(10 * MILLISECOND, 100);
            announced = c > 0 ? c : announced;
        }
        assertThat(announced).as("back to 10 threads + 10 prefetch").isEqualTo(20);
    }

    @Test
    void smallMovesAreNotAnnounced() {
        AdaptiveCredit credit = new AdaptiveCredit(1, 4, 1000, 10_000);
        for (int i = 0; i < 50; i++) {
            credit.record(100 * MICROSECOND, 100); // 1 x 5 ms / 100 us = 50 queued
        }
        assertThat(credit.granted()).isEqualTo(51);
        for (int i = 0; i < 50; i++) {
            assertThat(credit.record(110 * MICROSECOND, 100)).as("45 queued is within a quarter of 50").isZero();
        }
    }

    @Test
    void shortTasksWithBigPayloadsGrowOnlyUntilTheirBytesReachTheBound() {
        AdaptiveCredit credit = new AdaptiveCredit(2, 4, 1000, 10_000);
        for (int i = 0; i < 100; i++) {
            credit.record(10 * MICROSECOND, 1024 * 1024); // 1 MiB each: time alone would allow 1,000
        }
        // 32 MiB / 1 MiB = 32 queued, plus the 2 running
        assertThat(credit.granted()).isEqualTo(34);
    }

    @Test
    void aFixedPrefetchNeverMoves() {
        AdaptiveCredit credit = new AdaptiveCredit(2, 8, 8, 10_000);
        for (int i = 0; i < 50; i++) {
            assertThat(credit.record(1, 100)).isZero();
        }
        assertThat(credit.granted()).isEqualTo(10);
    }
}
