package io.brokest.internal.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.brokest.internal.LogCapture;
import io.brokest.internal.wire.Message;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Answering workers' class requests from this client's class loader, when reading fails. */
class ClassServerTest {
    private static final String NAME = ClassServerTest.class.getName().replace('.', '/') + ".class";

    /** A loader that fails its first reads, as a closed or half-redeployed one does. */
    private static final class FlakyLoader extends ClassLoader {
        final AtomicInteger failuresLeft = new AtomicInteger(1);

        FlakyLoader() {
            super(ClassServerTest.class.getClassLoader());
        }

        @Override
        public InputStream getResourceAsStream(String name) {
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("this web application instance has been stopped already");
            }
            return super.getResourceAsStream(name);
        }
    }

    @Test
    void aFailedReadIsLoggedAndNotRememberedSoTheNextRequestReadsAgain() throws Exception {
        ClassServer server = new ClassServer(new FlakyLoader(), 1 << 20);
        LogCapture log = new LogCapture();
        Message.ClassData[] answers = new Message.ClassData[2];
        String logged = log.during(() -> {
            answers[0] = server.answer(new Message.ClassRequest(1, Message.ClassRequest.CLASS, NAME, null));
            answers[1] = server.answer(new Message.ClassRequest(2, Message.ClassRequest.CLASS, NAME, null));
        });
        assertThat(answers[0].found()).isFalse();
        assertThat(logged).contains("a worker asked for " + NAME + ", and this client's class loader failed to read it")
                .contains("this web application instance has been stopped already");
        // before, the failure was kept: the class stayed missing for this client's life
        assertThat(answers[1].found()).isTrue();
        assertThat(answers[1].bytes()).isNotEmpty();
    }
}
