package zmq;

import static org.assertj.core.api.Assertions.assertThat;

import io.brokest.internal.util.JeromqCheck;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Brokest's fixed copy of JeroMQ's signaler: a signal is counted before its wake-up byte is written. */
@Timeout(30)
class SignalerTest {
    @Test
    void theFixedCopyIsTheOneLoaded() {
        assertThat(JeromqCheck.patchedSignalerLoaded()).isTrue();
    }

    @Test
    void jeromqsOwnCopyIsToldApart() throws Exception {
        String jar = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(p -> p.contains("jeromq")).findFirst().orElseThrow();
        try (java.net.URLClassLoader jeromqOnly = new java.net.URLClassLoader(
                new java.net.URL[] {java.nio.file.Path.of(jar).toUri().toURL()}, null)) {
            assertThat(JeromqCheck.patchedSignalerLoaded(jeromqOnly)).isFalse();
        }
    }

    @Test
    void aSignalIsCountedBeforeItsWakeUpByteIsWritten() throws Exception {
        Ctx ctx = new Ctx();
        Signaler signaler = new Signaler(ctx, 0, ctx.errno());
        try {
            // Fill the pipe, so that a sender cannot write its byte until the pipe is read: the moment between
            // counting and writing then lasts as long as the test wants.
            Pipe.SinkChannel sink = field(signaler, "w");
            while (sink.write(ByteBuffer.allocate(4096)) > 0) {
                // filling
            }
            Thread sender = new Thread(signaler::send, "signaler-test-sender");
            sender.start();

            boolean counted = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!counted && System.nanoTime() < deadline) {
                counted = signaler.waitEvent(0);
                Thread.yield();
            }
            assertThat(counted).as("the signal is counted while its byte still waits to be written").isTrue();
            assertThat(sender.isAlive()).as("the sender is still stuck writing into the full pipe").isTrue();

            Pipe.SourceChannel source = field(signaler, "r");
            ByteBuffer drain = ByteBuffer.allocate(4096);
            while (sender.isAlive() && System.nanoTime() < deadline) {
                drain.clear();
                source.read(drain);
                sender.join(1);
            }
            assertThat(sender.isAlive()).as("the sender wrote its byte once the pipe had room").isFalse();
        } finally {
            signaler.close();
            ctx.terminate();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T field(Signaler signaler, String name) throws ReflectiveOperationException {
        Field f = Signaler.class.getDeclaredField(name);
        f.setAccessible(true);
        return (T) f.get(signaler);
    }
}
