package io.brokest.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Finding the task's frame that called {@code System.exit} in a thread's stack (the JVM exit itself is in an IT). */
class ExitGuardTest {

    private static StackTraceElement frame(String className, String method) {
        return new StackTraceElement(className, method, null, -1);
    }

    @Test
    void theCallerIsTheFrameBelowSystemExit() {
        StackTraceElement[] frames = {
                frame("java.lang.Thread", "join"),
                frame("java.lang.ApplicationShutdownHooks", "runHooks"),
                frame("java.lang.Shutdown", "runHooks"),
                frame("java.lang.Shutdown", "exit"),
                frame("java.lang.Runtime", "exit"),
                frame("java.lang.System", "exit"),
                frame("com.example.MyTask", "call"),
                frame(TaskRunner.class.getName(), "run")};
        assertThat(ExitGuard.exitCaller(frames)).isEqualTo(6);
        assertThat(TaskRunner.taskFrames(frames, 6)).isEqualTo("\n\tat com.example.MyTask.call(Unknown Source)");
    }

    @Test
    void runtimeExitCalledDirectlyIsFoundToo() {
        StackTraceElement[] frames = {
                frame("java.lang.Shutdown", "exit"),
                frame("java.lang.Runtime", "exit"),
                frame("com.example.MyTask", "call")};
        assertThat(ExitGuard.exitCaller(frames)).isEqualTo(2);
    }

    @Test
    void aThreadThatIsNotExitingHasNoCaller() {
        StackTraceElement[] frames = {
                frame("java.lang.Thread", "sleep"),
                frame("com.example.MyTask", "exit"),
                frame(TaskRunner.class.getName(), "run")};
        assertThat(ExitGuard.exitCaller(frames)).isEqualTo(-1);
    }
}
