package io.brokest.samples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Worker daemons started by a sample as real separate JVMs from {@code worker-daemon.jar}, on free
 * loopback ports, and stopped when the sample ends. What a user would do by hand with
 * {@code java -jar worker-daemon.jar}.
 */
public final class LocalDaemons implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("ready on (tcp://\\S+)");

    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private final List<String> endpoints = new ArrayList<>();
    /**
     * Stops the daemons if this JVM ends before {@link #close()} (killed, say): otherwise they would
     * run on with nobody to stop them. Ctrl-C in a terminal reaches them anyway, as it signals the
     * whole process group; {@code kill PID} of the sample does not.
     */
    private final Thread stopOnExit = new Thread(() -> stop(5), "local-daemons-stop");

    private LocalDaemons() {
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /** Starts {@code count} daemons with {@code threads} threads each and waits until all are ready. */
    public static LocalDaemons start(int count, int threads, String... extraArgs) throws IOException {
        LocalDaemons daemons = new LocalDaemons();
        try {
            List<CompletableFuture<String>> ready = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ready.add(daemons.launch(threads, extraArgs));
            }
            for (CompletableFuture<String> r : ready) {
                daemons.endpoints.add(r.get(60, TimeUnit.SECONDS));
            }
            return daemons;
        } catch (Exception e) {
            daemons.close();
            throw new IOException("could not start local worker daemons: " + e.getMessage(), e);
        }
    }

    /**
     * Starts another main class of this JVM's classpath in its own JVM (the benchmark's echo server)
     * and waits until it prints "ready on ENDPOINT". Stopped by {@link #close()} like a daemon.
     */
    public static LocalDaemons startMain(String mainClass, String... args) throws IOException {
        LocalDaemons started = new LocalDaemons();
        try {
            List<String> command = new ArrayList<>(List.of(javaBinary(), "-XX:+UseSerialGC", "-cp",
                    System.getProperty("java.class.path"), mainClass));
            command.addAll(List.of(args));
            started.endpoints.add(started.launch(command).get(60, TimeUnit.SECONDS));
            return started;
        } catch (Exception e) {
            started.close();
            throw new IOException("could not start " + mainClass + ": " + e.getMessage(), e);
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private CompletableFuture<String> launch(int threads, String... extraArgs) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBinary(),
                "-XX:+UseSerialGC", "-jar", daemonJar().toString(), "--bind", "tcp://127.0.0.1:*",
                "--threads", Integer.toString(threads)));
        command.addAll(List.of(extraArgs));
        return launch(command);
    }

    private CompletableFuture<String> launch(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(process);
        CompletableFuture<String> endpoint = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    Matcher m = READY.matcher(line);
                    if (m.find()) {
                        endpoint.complete(m.group(1));
                    } else if (line.contains("WARN") || line.contains("ERROR")) {
                        System.err.println("[daemon " + process.pid() + "] " + line);
                    }
                }
            } catch (IOException e) {
                // the daemon is gone
            }
            endpoint.completeExceptionally(new IOException("daemon " + process.pid() + " exited before it was ready"));
        }, "daemon-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        return endpoint;
    }

    /**
     * Finds worker-daemon.jar: -Dbrokest.daemon.jar, then beside this jar (both copied to one
     * directory), then in this repository's build, then under the working directory.
     */
    public static Path daemonJar() throws IOException {
        String configured = System.getProperty("brokest.daemon.jar");
        List<Path> candidates = new ArrayList<>();
        if (configured != null) {
            candidates.add(Path.of(configured));
        }
        try {
            Path here = Path.of(LocalDaemons.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            candidates.add(here.resolveSibling("worker-daemon.jar"));
            // samples/target/brokest-samples.jar or samples/target/classes -> <root>/worker-daemon/target
            Path root = here.getParent().getParent().getParent();
            candidates.add(root.resolve("worker-daemon/target/worker-daemon.jar"));
        } catch (URISyntaxException | RuntimeException e) {
            // fall back to the working directory
        }
        candidates.add(Path.of("worker-daemon.jar"));
        candidates.add(Path.of("worker-daemon/target/worker-daemon.jar"));
        candidates.add(Path.of("../worker-daemon/target/worker-daemon.jar"));
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IOException("worker-daemon.jar not found (looked at " + candidates + "); build it with "
                + "'mvn package -DskipTests' or pass -Dbrokest.daemon.jar=PATH");
    }

    public List<String> endpoints() {
        return List.copyOf(endpoints);
    }

    public String[] endpointArray() {
        return endpoints.toArray(new String[0]);
    }

    public List<Long> pids() {
        return processes.stream().map(Process::pid).toList();
    }

    /** Stops every daemon: SIGTERM first (they drain), SIGKILL for any that does not exit in time. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException e) {
            // the JVM is exiting: the hook stops them
        }
        stop(10);
    }

    private void stop(int graceSeconds) {
        for (Process p : processes) {
            p.toHandle().destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
