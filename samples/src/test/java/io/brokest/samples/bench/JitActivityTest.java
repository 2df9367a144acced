package io.brokest.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JitActivityTest {
    // the format of /proc/PID/task/TID/stat: utime and stime are the 14th and 15th fields
    private static String stat(String name, long utime, long stime) {
        return "4242 (" + name + ") S 1 4200 4200 0 -1 4194368 120 0 0 0 " + utime + " " + stime
                + " 0 0 20 0 23 0 5000 1000000 100 18446744073709551615\n";
    }

    @Test
    void countsTheCompilerThreadsUserAndSystemTicks(@TempDir Path dir) throws Exception {
        Path c2 = Files.writeString(dir.resolve("c2"), stat("C2 CompilerThre", 31, 4));
        Path c1 = Files.writeString(dir.resolve("c1"), stat("C1 CompilerThre", 7, 1));
        assertThat(JitActivity.compilerTicks(c2)).isEqualTo(35);
        assertThat(JitActivity.compilerTicks(c1)).isEqualTo(8);
    }

    @Test
    void ignoresOtherThreadsEvenWithAwkwardNames(@TempDir Path dir) throws Exception {
        Path task = Files.writeString(dir.resolve("task"), stat("brokest-task-1", 500, 60));
        Path tricky = Files.writeString(dir.resolve("tricky"), stat("x) C2 (y", 500, 60));
        assertThat(JitActivity.compilerTicks(task)).isZero();
        assertThat(JitActivity.compilerTicks(tricky)).isZero();
        assertThat(JitActivity.compilerTicks(dir.resolve("gone"))).isZero();
    }

    @Test
    void aProcessThatIsGoneCountsNothing() {
        long noSuchPid = Long.MAX_VALUE;
        assertThat(new JitActivity(List.of(noSuchPid)).compilerMillis()).isZero();
    }
}
