package io.brokest.daemon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A worker daemon started from the built jar as a separate JVM, for integration tests. Its classpath
 * is the jar alone. Output lines are collected so tests can wait for a log line (with a deadline)
 * instead of sleeping.
 */
public final class DaemonProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("ready on (tcp://\\S+)");

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;
    private String endpoint;

    private DaemonProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::readOutput, "daemon-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    public static Path jar() {
        String configured = System.getProperty("brokest.daemon.jar");
        Path jar = configured != null ? Path.of(configured) : Path.of("target", "worker-daemon.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("worker-daemon.jar not found at " + jar.toAbsolutePath()
                    + "; run the integration tests with 'mvn verify'");
        }
        return jar;
    }

    /** Starts a daemon with these arguments (add {@code --bind tcp://127.0.0.1:*} for a free port). */
    public static DaemonProcess start(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        return new DaemonProcess(pb.start());
    }

    /** Starts a daemon on a free loopback port and waits until it is ready. */
    public static DaemonProcess startReady(String... extraArgs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--bind", "tcp://127.0.0.1:*"));
        args.addAll(List.of(extraArgs));
        DaemonProcess daemon = start(args.toArray(new String[0]));
        daemon.awaitReady(30_000);
        return daemon;
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // process gone
        }
        synchronized (lines) {
            lines.notifyAll();
        }
    }

    /** Waits for the "ready" line and returns the bound endpoint. */
    public String awaitReady(long timeoutMillis) throws InterruptedException {
        String line = awaitLine(l -> READY.matcher(l).find(), timeoutMillis);
        Matcher m = READY.matcher(line);
        m.find();
        endpoint = m.group(1);
        return endpoint;
    }

    /** Waits for an output line matching the predicate; throws with the output so far when it does not come. */
    public String awaitLine(Predicate<String> matching, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        int seen = 0;
        synchronized (lines) {
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (matching.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                    throw new AssertionError("daemon did not print the expected line within " + timeoutMillis
                            + " ms (alive: " + process.isAlive() + "); output:\n" + String.join("\n", lines));
                }
                lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    public String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    public String endpoint() {
        return endpoint;
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    /** SIGKILL: no drain, no goodbye. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM: the daemon drains and exits. (Process.destroy would also close our end of its output.) */
    public void terminate() throws IOException, InterruptedException {
        signal("TERM");
    }

    public void sigstop() throws IOException, InterruptedException {
        signal("STOP");
    }

    public void sigcont() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    public int waitForExit(long timeoutMillis) throws InterruptedException {
        if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("daemon did not exit within " + timeoutMillis + " ms; output:\n" + output());
        }
        reader.join(5_000); // the rest of its output
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            try {
                sigcont(); // a stopped process cannot die of SIGKILL until continued on some kernels
            } catch (IOException ignored) {
                // already gone
            }
            kill9();
        }
    }
}
