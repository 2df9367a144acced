package io.brokest.internal.worker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The host's CPU time so far, idle and in all, in clock ticks, from the first line of Linux's
 * {@code /proc/stat}; elsewhere, unknown. The file stays open and is read again from its start,
 * which costs about 5 us here (opening it each time, 70-90 us).
 */
final class HostCpu {
    private final FileChannel stat;
    private final ByteBuffer buffer = ByteBuffer.allocate(512);

    private HostCpu(FileChannel stat) {
        this.stat = stat;
    }

    /** The host's counters, or null where {@code /proc/stat} cannot be read. */
    static HostCpu open() {
        try {
            HostCpu cpu = new HostCpu(FileChannel.open(Path.of("/proc/stat"), StandardOpenOption.READ));
            return cpu.ticks() != null ? cpu : null;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    /** {idle, total} ticks since boot (idle counts I/O wait), or null if the read failed. */
    long[] ticks() {
        try {
            buffer.clear();
            stat.read(buffer, 0);
            return parse(new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            return null; // an unreadable or unexpected line: unknown, as on a host without the file
        }
    }

    /** From {@code cpu  user nice system idle iowait irq softirq steal ...}: {idle + iowait, sum of all}. */
    static long[] parse(String stat) {
        int end = stat.indexOf('\n');
        String[] fields = (end < 0 ? stat : stat.substring(0, end)).trim().split("\\s+");
        if (fields.length < 5 || !fields[0].equals("cpu")) {
            return null;
        }
        long total = 0;
        // guest and guest_nice (fields 9 and 10) are already counted in user and nice
        for (int i = 1; i < Math.min(fields.length, 9); i++) {
            total += Long.parseLong(fields[i]);
        }
        long idle = Long.parseLong(fields[4]) + (fields.length > 5 ? Long.parseLong(fields[5]) : 0);
        return new long[] {idle, total};
    }
}
