package io.brokest.samples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * How much CPU some processes have used, in all their threads or in their JIT compiler threads only,
 * from {@code /proc/PID/stat} and {@code /proc/PID/task/TID/stat} (Linux only). The benchmark reports
 * the CPU each sleep task costs, which shows Brokest's overhead where wall time on a shared host is
 * too noisy to, and it warms up until the compilers go quiet, since a compile on a 2-core host takes a
 * core from the run it is measuring.
 */
final class ProcessCpu {
    /** HotSpot's compiler threads, as the kernel shows their names (cut to 15 characters). */
    private static final List<String> COMPILER_THREADS = List.of("C1 CompilerThre", "C2 CompilerThre");
    /** The unit of those figures, USER_HZ ({@code getconf CLK_TCK}): 100 on x86-64 and aarch64 Linux. */
    private static final long MILLIS_PER_TICK = 10;

    private final List<Long> pids;

    /** These processes (this JVM's own pid may be among them). */
    ProcessCpu(List<Long> pids) {
        this.pids = List.copyOf(pids);
    }

    /** Whether the figures can be read here (Linux with /proc). */
    static boolean available() {
        return Files.isDirectory(Path.of("/proc/self/task"));
    }

    /**
     * CPU used so far by all the threads of the processes, ended ones included, in milliseconds (10 ms
     * resolution); a process that is gone counts 0.
     */
    long totalMillis() {
        long ticks = 0;
        for (long pid : pids) {
            ticks += ticks(Path.of("/proc", Long.toString(pid), "stat"), null);
        }
        return ticks * MILLIS_PER_TICK;
    }

    /** As {@link #totalMillis()}, for the compiler threads only (and of live threads only). */
    long compilerMillis() {
        long ticks = 0;
        for (long pid : pids) {
            try (Stream<Path> threads = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                for (Path thread : threads.toList()) {
                    ticks += ticks(thread.resolve("stat"), COMPILER_THREADS);
                }
            } catch (IOException | RuntimeException e) {
                // the process is gone, or this is not Linux
            }
        }
        return ticks * MILLIS_PER_TICK;
    }

    /**
     * User plus system ticks from a {@code stat} file; 0 if it is gone or, when {@code names} is given,
     * if the process or thread has another name.
     */
    static long ticks(Path stat, List<String> names) {
        String line;
        try {
            line = Files.readString(stat);
        } catch (IOException e) {
            return 0; // the thread or process ended meanwhile
        }
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')'); // a thread name may hold ')' itself
        if (open < 0 || close < open || (names != null && !names.contains(line.substring(open + 1, close)))) {
            return 0;
        }
        // after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
        String[] fields = line.substring(close + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
