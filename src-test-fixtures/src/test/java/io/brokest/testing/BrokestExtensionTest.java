package io.brokest.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.brokest.Brokest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The extension's lifecycle, checked by running small test classes (the static nested ones below,
 * which the build does not run on their own) with the JUnit Platform launcher in this JVM.
 */
@Timeout(60)
class BrokestExtensionTest {
    /** What the nested classes saw, for the assertions after they ran. */
    static final List<BrokestWorkers> SEEN = new CopyOnWriteArrayList<>();
    static final List<Brokest> CLIENTS = new CopyOnWriteArrayList<>();

    @BeforeEach
    void clear() {
        SEEN.clear();
        CLIENTS.clear();
    }

    private static TestExecutionSummary run(Class<?> testClass) {
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(), listener);
        return listener.getSummary();
    }

    @ExtendWith(BrokestExtension.class)
    static class DefaultPerClass {
        @Test
        void first(Brokest brokest, InProcessWorker worker, BrokestWorkers workers) throws Exception {
            SEEN.add(workers);
            CLIENTS.add(brokest);
            assertThat(workers.size()).isEqualTo(1);
            assertThat(workers.get(0)).isSameAs(worker);
            assertThat(brokest.submit(() -> 6 * 7).get(10, TimeUnit.SECONDS)).isEqualTo(42);
        }

        @Test
        void second(Brokest brokest, BrokestWorkers workers) throws Exception {
            SEEN.add(workers);
            CLIENTS.add(brokest);
            assertThat(brokest.queue((Integer x) -> x + 1, 1).get(10, TimeUnit.SECONDS)).isEqualTo(2);
        }
    }

    @Test
    void byDefaultOneWorkerServesTheWholeClassAndIsClosedAfterIt() {
        TestExecutionSummary summary = run(DefaultPerClass.class);
        assertThat(summary.getTotalFailureCount()).as(failures(summary)).isZero();
        assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
        assertThat(SEEN).hasSize(2);
        assertThat(SEEN.get(0)).isSameAs(SEEN.get(1));
        assertThat(CLIENTS.get(0)).isSameAs(CLIENTS.get(1));
        assertThat(SEEN.get(0).isClosed()).isTrue();
        assertThat(SEEN.get(0).get(0).isClosed()).isTrue();
    }

    static class PerMethodWithTwoWorkers {
        @RegisterExtension
        static BrokestExtension brokest = BrokestExtension.builder()
                .workers(2).threads(1).prefetch(0).perMethod().build();

        @Test
        void first(BrokestWorkers workers, Brokest client) throws Exception {
            check(workers, client);
        }

        @Test
        void second(BrokestWorkers workers, Brokest client) throws Exception {
            check(workers, client);
        }

        private static void check(BrokestWorkers workers, Brokest client) throws Exception {
            SEEN.add(workers);
            assertThat(brokest.workers()).isSameAs(workers);
            assertThat(brokest.client()).isSameAs(client);
            assertThat(workers.size()).isEqualTo(2);
            assertThat(workers.get(0).capacity()).isEqualTo(1);
            // two tasks that must run at once: with one slot each, they need both workers
            CompletableFuture<String> a = client.submit(() -> "a");
            CompletableFuture<String> b = client.submit(() -> "b");
            assertThat(a.get(10, TimeUnit.SECONDS) + b.get(10, TimeUnit.SECONDS)).isEqualTo("ab");
            workers.get(0).kill(); // fresh workers for the next test make this harmless
        }
    }

    @Test
    void perMethodGivesEachTestFreshWorkersAndClosesThem() {
        TestExecutionSummary summary = run(PerMethodWithTwoWorkers.class);
        assertThat(summary.getTotalFailureCount()).as(failures(summary)).isZero();
        assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
        assertThat(SEEN).hasSize(2);
        assertThat(SEEN.get(0)).isNotSameAs(SEEN.get(1));
        assertThat(SEEN.get(0).endpoints()).doesNotContainAnyElementsOf(SEEN.get(1).endpoints());
        assertThat(SEEN).allSatisfy(w -> assertThat(w.isClosed()).isTrue());
    }

    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class LeavesATaskUnfinished {
        @RegisterExtension
        static BrokestExtension brokest = BrokestExtension.builder().build();

        @Test
        @Order(1)
        void forgetsItsFuture(Brokest client, InProcessWorker worker) {
            SEEN.add(brokest.workers());
            worker.slowDown(Duration.ofSeconds(30));
            client.submit(() -> "never waited for");
        }

        @Test
        @Order(2)
        void waitsForItsFuture(Brokest client, InProcessWorker worker) throws Exception {
            worker.slowDown(Duration.ZERO);
            assertThat(client.submit(() -> "waited for").get(10, TimeUnit.SECONDS)).isEqualTo("waited for");
        }
    }

    @Test
    void aTestThatLeavesATaskUnfinishedFails() {
        TestExecutionSummary summary = run(LeavesATaskUnfinished.class);
        assertThat(summary.getTestsFailedCount()).isEqualTo(1);
        Throwable failure = summary.getFailures().get(0).getException();
        assertThat(failure).isInstanceOf(AssertionError.class)
                .hasMessageContaining("forgetsItsFuture")
                .hasMessageContaining("left 1 Brokest task(s) unfinished");
        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
        assertThat(SEEN.get(0).isClosed()).isTrue();
    }

    static class AsksForOneWorkerOfTwo {
        @RegisterExtension
        static BrokestExtension brokest = BrokestExtension.builder().workers(2).build();

        @Test
        void test(InProcessWorker worker) {
        }
    }

    @Test
    void askingForOneWorkerWhenThereAreSeveralFailsWithAClearMessage() {
        TestExecutionSummary summary = run(AsksForOneWorkerOfTwo.class);
        assertThat(summary.getTestsFailedCount()).isEqualTo(1);
        assertThat(summary.getFailures().get(0).getException())
                .hasMessageContaining("runs 2 workers; ask for BrokestWorkers instead");
    }

    @Test
    void builderRejectsBadSettings() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BrokestExtension.builder().workers(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("workers must be >= 1, was 0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BrokestExtension().client())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no Brokest workers are running");
    }

    private static String failures(TestExecutionSummary summary) {
        StringBuilder text = new StringBuilder("failures: ");
        summary.getFailures().forEach(f -> text.append(f.getTestIdentifier().getDisplayName()).append(": ")
                .append(f.getException()).append("; "));
        return text.toString();
    }
}
