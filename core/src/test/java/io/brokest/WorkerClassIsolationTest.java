package io.brokest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker reads a task's classes only through the class loader of the client that sent it. Kryo
 * on its own falls back to the loader that loaded Kryo, which on a daemon is the daemon's classpath
 * and in a test JVM is the test's classpath: a class the client could not ship would then run anyway.
 */
@Timeout(30)
class WorkerClassIsolationTest {
    static BrokestWorker worker;

    @BeforeAll
    static void start() {
        worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(2).start();
    }

    @AfterAll
    static void stop() {
        worker.close();
    }

    static final class Unshippable implements Task<String> {
        @Override
        public String call() {
            return "ran from a class the client never sent";
        }
    }

    @Test
    void aTaskClassTheClientCannotServeIsNotTakenFromTheWorkersOwnClasspath() throws Exception {
        ClassLoader hiding = new ClassLoader(WorkerClassIsolationTest.class.getClassLoader()) {
            @Override
            public InputStream getResourceAsStream(String name) {
                return name.contains("Unshippable") ? null : super.getResourceAsStream(name);
            }
        };
        try (Brokest client = Brokest.builder().workers(worker.endpoint()).classLoader(hiding).build()) {
            CompletableFuture<String> f = client.submit(new Unshippable());
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(TaskSerializationException.class)
                    .hasMessageContaining("cannot be read")
                    .hasMessageContaining("Unable to find class: io.brokest.WorkerClassIsolationTest$Unshippable");
            assertThat(client.submit(() -> "other tasks still run").get(10, TimeUnit.SECONDS))
                    .isEqualTo("other tasks still run");
        }
    }
}
