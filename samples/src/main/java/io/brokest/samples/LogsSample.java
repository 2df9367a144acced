package io.brokest.samples;

import io.brokest.Brokest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Map-reduce over a web server's access log: the log is split into chunks, each chunk is parsed and
 * aggregated on a worker ({@link #parse}), and the partial results are merged on the client
 * ({@link LogStats#merge}). Only the chunk travels to the worker and only the small aggregate comes
 * back.
 */
public final class LogsSample {
    /** Lines per task: big enough that a task's work dwarfs its round trip, small enough to spread. */
    public static final int LINES_PER_CHUNK = 20_000;

    private static final String[] PATHS = {"/", "/index.html", "/login", "/logout", "/search", "/cart",
            "/checkout", "/api/v1/items", "/api/v1/orders", "/api/v1/users/me", "/static/app.js",
            "/static/app.css", "/static/logo.png", "/favicon.ico", "/robots.txt", "/products/42",
            "/products/7", "/products/1001", "/blog/2024/05/release-notes", "/admin"};
    private static final int[] STATUSES = {200, 200, 200, 200, 200, 200, 200, 304, 304, 301, 404, 404, 500, 403};
    private static final String[] METHODS = {"GET", "GET", "GET", "GET", "POST", "PUT", "DELETE"};
    private static final String[] AGENTS = {
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
            "curl/8.5.0", "Googlebot/2.1 (+http://www.google.com/bot.html)"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
            "Nov", "Dec"};

    private LogsSample() {
    }

    /**
     * What one chunk of log (or, once merged, the whole log) says. Plain data: Kryo ships it back from
     * the worker with no extra code.
     */
    public static final class LogStats {
        long lines;
        long malformed;
        final Map<Integer, Long> statusCounts = new TreeMap<>();
        final Map<String, Long> pathCounts = new HashMap<>();
        /** Response bytes per hour, keyed "dd/Mon/yyyy:HH". */
        final Map<String, Long> bytesPerHour = new TreeMap<>();

        /** Adds another partial result into this one. */
        public LogStats merge(LogStats other) {
            lines += other.lines;
            malformed += other.malformed;
            other.statusCounts.forEach((k, v) -> statusCounts.merge(k, v, Long::sum));
            other.pathCounts.forEach((k, v) -> pathCounts.merge(k, v, Long::sum));
            other.bytesPerHour.forEach((k, v) -> bytesPerHour.merge(k, v, Long::sum));
            return this;
        }

        public long lines() {
            return lines;
        }

        public long malformed() {
            return malformed;
        }

        public Map<Integer, Long> statusCounts() {
            return statusCounts;
        }

        public Map<String, Long> bytesPerHour() {
            return bytesPerHour;
        }

        /** The {@code n} most requested paths, most requested first. */
        public List<Map.Entry<String, Long>> topPaths(int n) {
            return pathCounts.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                            .thenComparing(Map.Entry.comparingByKey()))
                    .limit(n).toList();
        }

        public String report() {
            StringBuilder out = new StringBuilder();
            out.append(String.format("%,d lines (%,d malformed)%n", lines, malformed));
            out.append("status codes:");
            statusCounts.forEach((k, v) -> out.append(String.format("  %d=%,d", k, v)));
            out.append("\ntop paths:\n");
            for (Map.Entry<String, Long> e : topPaths(5)) {
                out.append(String.format("  %-32s %,10d%n", e.getKey(), e.getValue()));
            }
            out.append("bytes per hour:\n");
            bytesPerHour.forEach((k, v) -> out.append(String.format("  %s  %,15d%n", k, v)));
            return out.toString();
        }
    }

    /**
     * A synthetic access log in the combined log format, as chunks of {@code linesPerChunk} lines.
     * Deterministic for a given seed; timestamps advance through one day.
     */
    public static List<String> generate(int lines, int linesPerChunk, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> chunks = new ArrayList<>();
        StringBuilder chunk = new StringBuilder(linesPerChunk * 200);
        for (int i = 0; i < lines; i++) {
            long t = i * 86_400L / lines; // spread evenly over the day, however many lines
            int status = STATUSES[random.nextInt(STATUSES.length)];
            int bytes = status == 304 ? 0 : 200 + random.nextInt(50_000);
            chunk.append(10 + random.nextInt(200)).append('.').append(random.nextInt(256)).append(".0.")
                    .append(1 + random.nextInt(254)).append(" - - [")
                    .append(String.format("01/%s/2024:%02d:%02d:%02d +0000", MONTHS[4], t / 3600, t / 60 % 60, t % 60))
                    .append("] \"").append(METHODS[random.nextInt(METHODS.length)]).append(' ')
                    .append(PATHS[skewed(random, PATHS.length)]).append(" HTTP/1.1\" ").append(status).append(' ')
                    .append(bytes).append(" \"-\" \"").append(AGENTS[random.nextInt(AGENTS.length)]).append("\"\n");
            if ((i + 1) % linesPerChunk == 0) {
                chunks.add(chunk.toString());
                chunk.setLength(0);
            }
        }
        if (chunk.length() > 0) {
            chunks.add(chunk.toString());
        }
        return chunks;
    }

    /** Popular pages are much more popular: index i with probability about 1/(i+1). */
    private static int skewed(SplittableRandom random, int n) {
        return Math.min(n - 1, (int) Math.floor(Math.expm1(random.nextDouble() * Math.log1p(n))));
    }

    /**
     * Parses one chunk of combined-log-format lines. Runs on a worker: a static method used through a
     * method reference, so the task captures nothing but its chunk.
     */
    public static LogStats parse(String chunk) {
        LogStats stats = new LogStats();
        int start = 0;
        while (start < chunk.length()) {
            int end = chunk.indexOf('\n', start);
            if (end < 0) {
                end = chunk.length();
            }
            if (end > start) {
                parseLine(chunk, start, end, stats);
            }
            start = end + 1;
        }
        return stats;
    }

    // 10.1.0.7 - - [01/May/2024:13:05:09 +0000] "GET /cart HTTP/1.1" 200 5120 "-" "curl/8.5.0"
    private static void parseLine(String s, int from, int to, LogStats stats) {
        stats.lines++;
        int open = s.indexOf('[', from);
        int quote = open < 0 ? -1 : s.indexOf('"', open);
        int pathStart = quote < 0 ? -1 : s.indexOf(' ', quote) + 1;
        int pathEnd = pathStart <= 0 ? -1 : s.indexOf(' ', pathStart);
        int closeQuote = pathEnd < 0 ? -1 : s.indexOf('"', pathEnd);
        if (open < 0 || closeQuote < 0 || closeQuote + 2 >= to || open + 15 > to) {
            stats.malformed++;
            return;
        }
        int statusStart = closeQuote + 2;
        int statusEnd = s.indexOf(' ', statusStart);
        int bytesEnd = statusEnd < 0 ? -1 : s.indexOf(' ', statusEnd + 1);
        if (statusEnd < 0 || bytesEnd < 0 || bytesEnd > to) {
            stats.malformed++;
            return;
        }
        try {
            int status = Integer.parseInt(s, statusStart, statusEnd, 10);
            String bytesField = s.substring(statusEnd + 1, bytesEnd);
            long bytes = bytesField.equals("-") ? 0 : Long.parseLong(bytesField);
            String hour = s.substring(open + 1, open + 15); // dd/Mon/yyyy:HH
            stats.statusCounts.merge(status, 1L, Long::sum);
            stats.pathCounts.merge(s.substring(pathStart, pathEnd), 1L, Long::sum);
            stats.bytesPerHour.merge(hour, bytes, Long::sum);
        } catch (NumberFormatException e) {
            stats.malformed++;
        }
    }

    /** Parses every chunk on the workers and merges the partial results as they arrive. */
    public static LogStats analyze(Brokest brokest, List<String> chunks) {
        List<CompletableFuture<LogStats>> parts = new ArrayList<>();
        for (String chunk : chunks) {
            parts.add(brokest.queue(LogsSample::parse, chunk));
        }
        LogStats total = new LogStats();
        for (CompletableFuture<LogStats> part : parts) {
            total.merge(part.join());
        }
        return total;
    }

    /** The same work in a plain loop in this JVM, for comparison. */
    public static LogStats analyzeSequentially(List<String> chunks) {
        LogStats total = new LogStats();
        for (String chunk : chunks) {
            total.merge(parse(chunk));
        }
        return total;
    }

    /**
     * Generates the log, then measures lines/s sequentially and with 1, 2 and 4 of the given workers
     * (fewer if fewer are given), and prints the report.
     */
    /** Heap a generated log line takes, kept as its chunk's string (measured: 154 bytes). */
    static final long HEAP_BYTES_PER_LINE = 160;

    /**
     * Why this many lines would not fit in a heap of {@code maxHeapBytes} (the whole log is held, and
     * each chunk is copied while it is built and sent), or null when they fit.
     */
    static String tooLargeForHeap(int lines, long maxHeapBytes) {
        long needed = lines * HEAP_BYTES_PER_LINE;
        if (needed <= maxHeapBytes * 0.7) {
            return null;
        }
        return String.format("--lines %,d needs about %.1f GB of heap to hold the generated log, and this JVM may "
                + "use %.1f GB: use fewer lines, or give java a larger -Xmx (java -Xmx%dg -jar ...)", lines,
                needed / 1e9, maxHeapBytes / 1e9, (long) Math.ceil(needed / 0.7 / (1L << 30)));
    }

    public static void run(List<String> endpoints, int lines) {
        System.out.printf("generating %,d log lines ...%n", lines);
        List<String> chunks = generate(lines, LINES_PER_CHUNK, 42);
        analyzeSequentially(chunks); // warm up this JVM's JIT: a few chunks left the loop half-compiled

        long t0 = System.nanoTime();
        LogStats expected = analyzeSequentially(chunks);
        report("sequential loop", lines, System.nanoTime() - t0);

        // One client for all runs, dropping workers between them: each worker keeps the classes (and
        // the JIT-compiled code) it loaded for this client's session, so no run pays for warming up.
        // The warm-up is the whole log, a share on each worker: three chunks each left the first
        // (four-worker) run still compiling, at half the speed of the runs after it.
        try (Brokest brokest = Brokest.connect(endpoints.toArray(new String[0]))) {
            analyze(brokest, chunks);
            List<String> timings = new ArrayList<>();
            LogStats result = null;
            for (int workers : new int[] {4, 2, 1}) {
                if (workers > endpoints.size()) {
                    continue;
                }
                for (int i = endpoints.size() - 1; i >= workers; i--) {
                    brokest.removeWorker(endpoints.get(i));
                }
                long start = System.nanoTime();
                result = analyze(brokest, chunks);
                timings.add(0, line(workers + (workers == 1 ? " worker" : " workers"), lines,
                        System.nanoTime() - start));
                if (result.lines != expected.lines || !result.statusCounts.equals(expected.statusCounts)) {
                    throw new IllegalStateException("workers and the local loop disagree");
                }
            }
            timings.forEach(System.out::println);
            System.out.println();
            System.out.print(result.report());
        }
    }

    private static void report(String what, int lines, long nanos) {
        System.out.println(line(what, lines, nanos));
    }

    private static String line(String what, int lines, long nanos) {
        double seconds = nanos / 1e9;
        return String.format("%-16s %,12.0f lines/s  (%.2f s)", what, lines / seconds, seconds);
    }
}
