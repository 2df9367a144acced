package io.brokest.daemon;

import io.brokest.BrokestWorker;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The worker daemon's command line: {@code java -jar worker-daemon.jar --bind tcp://127.0.0.1:5555}.
 * Starts a {@link BrokestWorker}, logs when it is ready, and on SIGTERM or Ctrl-C drains it: no new
 * tasks, running ones finish within {@code --drain-timeout}, then exit 0.
 */
@Command(name = "worker-daemon", mixinStandardHelpOptions = true, version = "Brokest worker 0.1.0",
        description = "Runs tasks sent by Brokest clients. Task classes are fetched from the client that sent them.",
        subcommands = KeygenCommand.class)
public final class WorkerDaemon implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger("brokest.worker");

    @Option(names = "--bind", paramLabel = "ENDPOINT", defaultValue = "tcp://127.0.0.1:5555",
            description = "ZeroMQ endpoint to listen on (default: ${DEFAULT-VALUE}); port * picks a free one")
    String bind;

    @Option(names = "--threads", paramLabel = "N", description = "tasks run at once (default: number of cores)")
    Integer threads;

    @Option(names = "--prefetch", paramLabel = "N",
            description = "tasks queued beyond the threads, to hide latency; fixed when given (default: adaptive, from "
                    + "the threads (at least 4) up to 1000 for short tasks, about 5 ms of work per thread)")
    Integer prefetch;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "PT30S",
            converter = DurationConverter.class,
            description = "on SIGTERM, how long running tasks may take to finish, e.g. 30s or PT1M (default: 30s)")
    Duration drainTimeout;

    @Option(names = "--heartbeat", paramLabel = "DURATION", defaultValue = "PT1S", converter = DurationConverter.class,
            description = "heartbeat interval (default: 1s); a client silent for 3 intervals is dropped")
    Duration heartbeat;

    @Option(names = "--max-message-size", paramLabel = "BYTES", defaultValue = "67108864",
            description = "largest task or result accepted, in bytes (default: ${DEFAULT-VALUE})")
    int maxMessageBytes;

    @Option(names = "--key", paramLabel = "FILE",
            description = "this worker's CURVE secret key (NAME.key from keygen); turns on encryption and "
                    + "authentication, needs --authorized-keys")
    Path key;

    @Option(names = "--authorized-keys", paramLabel = "FILE",
            description = "client public keys allowed to connect, one a line (# comments); re-read when it changes")
    Path authorizedKeys;

    @Option(names = "--insecure",
            description = "allow a non-loopback --bind without CURVE: anyone who can reach it can run code here")
    boolean insecure;

    @Option(names = "--max-tasks-per-client", paramLabel = "N",
            description = "tasks one client may have running here at once (default: threads + the largest prefetch)")
    Integer maxTasksPerClient;

    @Option(names = "--no-result-poll",
            description = "never look for results every millisecond; by default the worker does while tasks "
                    + "of 2 ms or more run that leave their CPU mostly idle, instead of being woken for each")
    boolean noResultPoll;

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new WorkerDaemon());
        int code = cli.execute(args);
        System.exit(code);
    }

    @Override
    public Integer call() throws Exception {
        BrokestWorker worker;
        try { // every setting's check, as one line and exit code 2
            BrokestWorker.Builder builder = BrokestWorker.builder().bind(bind)
                    .maxMessageBytes(maxMessageBytes).heartbeat(heartbeat, 3).allowInsecure(insecure)
                    .resultPolling(!noResultPoll);
            if (prefetch != null) {
                builder.prefetch(prefetch);
            }
            if (threads != null) {
                builder.threads(threads);
            }
            if (maxTasksPerClient != null) {
                builder.maxTasksPerClient(maxTasksPerClient);
            }
            if (key != null) {
                builder.key(key);
            }
            if (authorizedKeys != null) {
                builder.authorizedKeys(authorizedKeys);
            }
            worker = builder.start();
        } catch (IllegalStateException | IllegalArgumentException | UncheckedIOException e) {
            System.err.println("worker-daemon: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopRequested = new CountDownLatch(1);
        AtomicBoolean signalled = new AtomicBoolean();
        // A signal handler rather than a shutdown hook: the JVM exits with 143 after hooks, and an
        // operator (or a supervisor) should see 0 for a clean drain.
        for (String signal : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> {
                signalled.set(true);
                stopRequested.countDown();
            });
        }
        LOG.info("Brokest worker ready on {} with {} threads (capacity {})", worker.endpoint(),
                threads != null ? threads : Runtime.getRuntime().availableProcessors(), worker.capacity());
        LOG.info("security: {}", worker.publicKey() == null
                ? "no CURVE: unencrypted, any local process may connect and run code"
                : "CURVE; clients pin this worker's public key " + worker.publicKey()
                + " and must be listed in " + authorizedKeys);
        // a worker that stopped by itself (a fatal internal error, or more tasks stuck past their interrupts
        // than threads; already logged) ends the process
        // with a non-zero code, so a supervisor restarts it instead of leaving a deaf daemon up
        worker.whenStopped().whenComplete((done, error) -> stopRequested.countDown());
        stopRequested.await();
        if (worker.whenStopped().isCompletedExceptionally()) {
            System.err.println("worker-daemon: stopped by itself (see the log above); exit 1");
            return 1;
        }
        if (!signalled.get() && worker.whenStopped().isDone()) {
            // stopped with no signal and no error: a task called System.exit (logged), and the JVM
            // exits with that task's status; there is nothing left to drain
            return 1;
        }
        drain(worker);
        return 0;
    }

    private void drain(BrokestWorker worker) {
        LOG.info("shutting down: draining {} running task(s) for up to {}", worker.runningTasks(), drainTimeout);
        try {
            int left = worker.shutdown(drainTimeout);
            if (left > 0) {
                LOG.warn("drain timeout: interrupted {} task(s); their clients will re-run them elsewhere", left);
            }
            LOG.info("worker stopped");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Accepts ISO-8601 (PT30S) or a number with ms, s or m. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration parsed = parse(value);
            if (parsed == null) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration; use e.g. 500ms, 30s, 2m or PT30S");
            }
            if (parsed.isNegative()) {
                throw new CommandLine.TypeConversionException("'" + value + "' is negative; use e.g. 500ms, 30s, 2m or PT30S");
            }
            return parsed;
        }

        private static Duration parse(String value) {
            String v = value.trim().toLowerCase();
            try {
                if (v.startsWith("pt")) {
                    return Duration.parse(value.toUpperCase());
                } else if (v.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
                } else if (v.endsWith("s")) {
                    return Duration.ofMillis((long) (Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
                } else if (v.endsWith("m")) {
                    return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)) * 60);
                }
            } catch (RuntimeException e) {
                // not a duration
            }
            return null;
        }
    }
}
