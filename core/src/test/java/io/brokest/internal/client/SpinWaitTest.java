package io.brokest.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a thread blocked on a future spins: only while recent waits were short, never past a deadline. */
class SpinWaitTest {
    private static final long LIMIT = 200_000;

    /** Holds a spinner slot for the test, if this machine has any to give. */
    private static long startAndRelease(SpinWait spin, long deadline) {
        long budget = spin.start(deadline);
        if (budget > 0) {
            spin.spun();
        }
        return budget;
    }

    @Test
    void theFirstWaitParksAndShortWaitsTeachItToSpin() {
        SpinWait spin = new SpinWait(LIMIT);
        assertThat(spin.wouldSpin()).as("nothing learned yet").isFalse();
        assertThat(startAndRelease(spin, 0)).isZero();
        spin.waited(60_000, false); // a no-op's round trip, say
        assertThat(spin.wouldSpin()).isTrue();
        assertThat(startAndRelease(spin, 0)).isEqualTo(SpinWait.maxSpinners() > 0 ? LIMIT : 0);
    }

    @Test
    void longWaitsStopTheSpinningAndShortOnesBringItBack() {
        SpinWait spin = new SpinWait(LIMIT);
        for (int i = 0; i < 50; i++) {
            spin.waited(50_000, false);
        }
        assertThat(spin.wouldSpin()).isTrue();
        spin.waited(10_000_000_000L, false); // one 10 s task among short ones
        assertThat(spin.wouldSpin()).as("one long wait counts as four limits at most: an outlier does not stop it")
                .isTrue();
        spin.waited(10_000_000_000L, false);
        assertThat(spin.wouldSpin()).as("two in a row do").isFalse();
        int shortWaits = 0;
        while (!spin.wouldSpin()) {
            spin.waited(50_000, false);
            shortWaits++;
        }
        assertThat(shortWaits).as("short waits needed to spin again").isBetween(1, 20);
        for (int i = 0; i < 50; i++) {
            spin.waited(1_000_000, false); // 1 ms tasks
        }
        assertThat(spin.wouldSpin()).isFalse();
    }

    @Test
    void spinsThatEndInAParkStopTheSpinningHoweverShortTheWaits() {
        SpinWait spin = new SpinWait(LIMIT);
        for (int i = 0; i < 50; i++) {
            spin.waited(50_000, false);
        }
        spin.waited(210_000, true); // results that came just after the spin gave up
        spin.waited(210_000, true);
        assertThat(spin.wouldSpin()).as("two spins in vain in a row").isFalse();
    }

    @Test
    void aDeadlineCutsTheSpinShortAndAPassedOneStopsIt() {
        SpinWait spin = new SpinWait(LIMIT);
        spin.waited(0, false);
        if (SpinWait.maxSpinners() == 0) {
            assertThat(startAndRelease(spin, 0)).as("a one-core machine never spins").isZero();
            return;
        }
        long budget = startAndRelease(spin, System.nanoTime() + 50_000);
        assertThat(budget).isPositive().isLessThanOrEqualTo(50_000);
        assertThat(startAndRelease(spin, System.nanoTime() - 1)).isZero();
    }

    @Test
    void atMostHalfTheCoresSpinAtOnceInTheWholeJvm() {
        List<SpinWait> spinning = new ArrayList<>();
        boolean refused = false;
        try {
            for (int i = 0; i < SpinWait.maxSpinners() + 2 && !refused; i++) {
                SpinWait spin = new SpinWait(LIMIT); // a client of its own: the bound is the JVM's
                spin.waited(0, false);
                if (spin.start(0) > 0) {
                    spinning.add(spin);
                } else {
                    refused = true;
                }
            }
            assertThat(refused).as("a spinner beyond the bound is refused").isTrue();
            assertThat(spinning.size()).isLessThanOrEqualTo(SpinWait.maxSpinners());
            assertThat(SpinWait.spinners()).isLessThanOrEqualTo(SpinWait.maxSpinners());
        } finally {
            spinning.forEach(SpinWait::spun);
        }
        assertThat(SpinWait.maxSpinners()).isEqualTo(Runtime.getRuntime().availableProcessors() / 2);
    }

    @Test
    void offNeverSpinsAndANegativeLimitIsRefused() {
        SpinWait.OFF.waited(0, false);
        assertThat(SpinWait.OFF.wouldSpin()).isFalse();
        assertThat(SpinWait.OFF.start(0)).isZero();
        assertThatThrownBy(() -> new SpinWait(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be negative");
    }
}
