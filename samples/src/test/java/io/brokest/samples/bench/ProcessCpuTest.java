package io.brokest.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessCpuTest {
    private static final List<String> COMPILERS = List.of("C1 CompilerThre", "C2 CompilerThre");

    // the format of /proc/PID/stat and /proc/PID/task/TID/stat: utime and stime are the 14th and 15th fields
    private static String stat(String name, long utime, long stime) {
        return "4242 (" + name + ") S 1 4200 4200 0 -1 4194368 120 0 0 0 " + utime + " " + stime
                + " 0 0 20 0 23 0 5000 1000000 100 18446744073709551615\n";
    }

    @Test
    void countsUserAndSystemTicks(@TempDir Path dir) throws Exception {
        Path c2 = Files.writeString(dir.resolve("c2"), stat("C2 CompilerThre", 31, 4));
        Path c1 = Files.writeString(dir.resolve("c1"), stat("C1 CompilerThre", 7, 1));
        Path process = Files.writeString(dir.resolve("process"), stat("java", 1200, 300));
        assertThat(ProcessCpu.ticks(c2, COMPILERS)).isEqualTo(35);
        assertThat(ProcessCpu.ticks(c1, COMPILERS)).isEqualTo(8);
        assertThat(ProcessCpu.ticks(process, null)).as("any name").isEqualTo(1500);
    }

    @Test
    void theCompilerCountIgnoresOtherThreadsEvenWithAwkwardNames(@TempDir Path dir) throws Exception {
        Path task = Files.writeString(dir.resolve("task"), stat("brokest-task-1", 500, 60));
        Path tricky = Files.writeString(dir.resolve("tricky"), stat("x) C2 (y", 500, 60));
        assertThat(ProcessCpu.ticks(task, COMPILERS)).isZero();
        assertThat(ProcessCpu.ticks(tricky, COMPILERS)).isZero();
        assertThat(ProcessCpu.ticks(tricky, null)).as("the name is the text between the first ( and the last )")
                .isEqualTo(560);
        assertThat(ProcessCpu.ticks(dir.resolve("gone"), COMPILERS)).isZero();
    }

    @Test
    void aProcessThatIsGoneCountsNothing() {
        long noSuchPid = Long.MAX_VALUE;
        ProcessCpu cpu = new ProcessCpu(List.of(noSuchPid));
        assertThat(cpu.compilerMillis()).isZero();
        assertThat(cpu.totalMillis()).isZero();
    }

    @Test
    void thisJvmsOwnCpuGrowsWhileItWorks() {
        assumeTrue(ProcessCpu.available(), "reads /proc, which only Linux has (the bench prints NaN elsewhere)");
        ProcessCpu self = new ProcessCpu(List.of(ProcessHandle.current().pid()));
        long before = self.totalMillis();
        long deadline = System.nanoTime() + 5_000_000_000L;
        long spin = 0;
        while (self.totalMillis() - before < 50 && System.nanoTime() < deadline) {
            spin += Long.numberOfTrailingZeros(System.nanoTime()); // keep a core busy
        }
        assertThat(self.totalMillis() - before).as("after %d spins", spin).isGreaterThanOrEqualTo(50);
    }
}
