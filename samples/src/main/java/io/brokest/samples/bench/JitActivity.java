package io.brokest.samples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * How much CPU the JIT compiler threads of some JVMs have used, from {@code /proc/PID/task/TID/stat}
 * (Linux only). The benchmark warms up until the compilers go quiet and reports what they still used
 * while it timed, since a compile on a 2-core host takes a core from the run it is measuring.
 */
final class JitActivity {
    /** HotSpot's compiler threads, as the kernel shows their names (cut to 15 characters). */
    private static final List<String> COMPILER_THREADS = List.of("C1 CompilerThre", "C2 CompilerThre");
    /** The unit of those figures, USER_HZ ({@code getconf CLK_TCK}): 100 on x86-64 and aarch64 Linux. */
    private static final long MILLIS_PER_TICK = 10;

    private final List<Long> pids;

    /** The compilers of these processes (this JVM's own pid may be among them). */
    JitActivity(List<Long> pids) {
        this.pids = List.copyOf(pids);
    }

    /** Whether the figures can be read here (Linux with /proc). */
    static boolean available() {
        return Files.isDirectory(Path.of("/proc/self/task"));
    }

    /**
     * Compiler CPU used so far, in milliseconds (10 ms resolution), summed over the processes; a
     * process that is gone counts 0.
     */
    long compilerMillis() {
        long ticks = 0;
        for (long pid : pids) {
            try (Stream<Path> threads = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                for (Path thread : threads.toList()) {
                    ticks += compilerTicks(thread.resolve("stat"));
                }
            } catch (IOException | RuntimeException e) {
                // the process is gone, or this is not Linux
            }
        }
        return ticks * MILLIS_PER_TICK;
    }

    static long compilerTicks(Path stat) {
        String line;
        try {
            line = Files.readString(stat);
        } catch (IOException e) {
            return 0; // the thread ended meanwhile
        }
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')'); // a thread name may hold ')' itself
        if (open < 0 || close < open || !COMPILER_THREADS.contains(line.substring(open + 1, close))) {
            return 0;
        }
        // after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
        String[] fields = line.substring(close + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
