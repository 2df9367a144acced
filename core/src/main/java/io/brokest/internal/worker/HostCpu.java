package io.brokest.internal.worker;

import java.io.IOException;
import java.io.RandomAccessFile;

/**
 * The host's CPU time so far, idle and in all, in clock ticks, from the first line of Linux's
 * {@code /proc/stat}; elsewhere, unknown. The file is opened at the first read, stays open and is
 * read again from its start. One thread at a time.
 *
 * <p>Read ten times a second, this code is never JIT-compiled, so it is written for the
 * interpreter: a {@code RandomAccessFile} (fewer Java frames than a {@code FileChannel}) and a
 * byte-by-byte parse. Measured here at that pace: 40-80 us a read, where a channel and a split
 * with a regular expression took about 300 us of the socket thread's time.
 */
final class HostCpu implements AutoCloseable {
    private static final String STAT = "/proc/stat";

    private final byte[] buffer = new byte[512];
    private RandomAccessFile stat;
    private boolean unavailable;

    /** {idle, total} ticks since boot (idle counts I/O wait), or null where they cannot be read. */
    long[] ticks() {
        if (unavailable) {
            return null;
        }
        try {
            if (stat == null) {
                stat = new RandomAccessFile(STAT, "r");
            }
            stat.seek(0);
            long[] ticks = parse(buffer, Math.max(0, stat.read(buffer)));
            if (ticks == null) {
                close();
                unavailable = true; // not Linux's format: unknown from now on
            }
            return ticks;
        } catch (IOException | RuntimeException e) {
            close();
            unavailable = true; // no such file (not Linux) or not readable: unknown from now on
            return null;
        }
    }

    /**
     * From {@code cpu  user nice system idle iowait irq softirq steal ...}, the first of {@code length}
     * bytes: {idle + iowait, sum of all}, or null if they do not start that way.
     */
    static long[] parse(byte[] bytes, int length) {
        int i = skipSpaces(bytes, length, 0);
        if (i + 3 > length || bytes[i] != 'c' || bytes[i + 1] != 'p' || bytes[i + 2] != 'u'
                || (i + 3 < length && bytes[i + 3] != ' ' && bytes[i + 3] != '\t')) {
            return null;
        }
        i += 3;
        // user nice system idle iowait irq softirq steal; guest and guest_nice (9th and 10th) are
        // already counted in user and nice
        long[] values = new long[8];
        int count = 0;
        while (count < values.length) {
            i = skipSpaces(bytes, length, i);
            if (i >= length || bytes[i] == '\n') {
                break;
            }
            long value = 0;
            int digits = 0;
            for (; i < length && bytes[i] >= '0' && bytes[i] <= '9'; i++, digits++) {
                value = value * 10 + (bytes[i] - '0');
            }
            if (digits == 0 || (i < length && bytes[i] != ' ' && bytes[i] != '\t' && bytes[i] != '\n')) {
                return null;
            }
            values[count++] = value;
        }
        if (count < 4) {
            return null;
        }
        long total = 0;
        for (int k = 0; k < count; k++) {
            total += values[k];
        }
        return new long[] {values[3] + values[4], total};
    }

    private static int skipSpaces(byte[] bytes, int length, int from) {
        int i = from;
        while (i < length && (bytes[i] == ' ' || bytes[i] == '\t')) {
            i++;
        }
        return i;
    }

    @Override
    public void close() {
        if (stat != null) {
            try {
                stat.close();
            } catch (IOException ignored) {
                // nothing to do: it was only read
            }
            stat = null;
        }
    }
}
