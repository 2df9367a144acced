package io.brokest.samples;

import io.brokest.Brokest;
import io.brokest.samples.bench.Bench;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of {@code brokest-samples.jar}: {@code java -jar samples/target/brokest-samples.jar demo}.
 * Each sample runs against the daemons given with {@code --workers}, or starts its own local ones.
 */
@Command(name = "brokest-samples", mixinStandardHelpOptions = true,
        subcommands = {Samples.Demo.class, Samples.Logs.class, Samples.Pipeline.class, Samples.Pi.class,
                Bench.class},
        description = "Runnable Brokest examples. Without --workers, each starts local worker daemons itself.")
public final class Samples implements Runnable {
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line: a sample's failure prints one line, {@link #describe}, and exits with 1. */
    static CommandLine commandLine() {
        return new CommandLine(new Samples()).setExecutionExceptionHandler((failure, commandLine, parsed) -> {
            commandLine.getErr().println("error: " + describe(failure));
            return 1;
        });
    }

    /**
     * A failure as one line, each cause after the one it caused: what a user needs to act on, without
     * the stack of picocli's frames (the library logs its own errors in full where they happen).
     */
    static String describe(Throwable failure) {
        StringBuilder line = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ExecutionException && t.getCause() != null) {
                continue; // says nothing its cause does not
            }
            if (t != failure && t.getMessage() != null && line.indexOf(t.getMessage()) >= 0) {
                continue; // a wrapper that quoted its cause already said it
            }
            if (!line.isEmpty()) {
                line.append("; caused by ");
            }
            line.append(t.getMessage() != null ? t.getClass().getSimpleName() + ": " + t.getMessage()
                    : t instanceof TimeoutException
                    ? "timed out waiting for a result (any warnings above say why)" : t.toString());
        }
        return line.toString();
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Refuses an option's value below {@code least} as picocli refuses a malformed one: a message and exit 2. */
    static void requireAtLeast(CommandLine.Model.CommandSpec spec, String option, long value, long least) {
        if (value < least) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    option + " must be at least " + least + ", was " + value);
        }
    }

    /** What a sample does with the worker endpoints it was given or started. */
    interface WithEndpoints {
        void run(List<String> endpoints) throws Exception;
    }

    /** Options every sample shares. */
    static class Workers {
        @Option(names = "--workers", split = ",", paramLabel = "ENDPOINT",
                description = "worker daemons to use, e.g. tcp://127.0.0.1:5555 (default: start local ones)")
        List<String> endpoints;

        /**
         * Runs the sample with the endpoints given on the command line or, with none, with {@code count}
         * local daemons of {@code threads} threads each, stopped at the end.
         */
        void run(int count, int threads, WithEndpoints sample) throws Exception {
            if (endpoints != null && !endpoints.isEmpty()) {
                sample.run(endpoints);
                return;
            }
            System.out.printf("starting %d local worker daemon%s with %d thread%s each (java -jar worker-daemon.jar) ...%n",
                    count, count == 1 ? "" : "s", threads, threads == 1 ? "" : "s");
            try (LocalDaemons daemons = LocalDaemons.start(count, threads)) {
                System.out.println("ready: " + daemons.endpoints() + " (pids " + daemons.pids() + ")");
                sample.run(daemons.endpoints());
            }
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "A lambda, a method reference, a task object and a task that throws, on a real daemon")
    static final class Demo implements Callable<Integer> {
        @CommandLine.Mixin
        Workers workers = new Workers();

        @Override
        public Integer call() throws Exception {
            workers.run(1, 2, endpoints -> {
                try (Brokest brokest = Brokest.connect(endpoints.toArray(new String[0]))) {
                    DemoSample.run(brokest);
                }
            });
            return 0;
        }
    }

    @Command(name = "logs", mixinStandardHelpOptions = true,
            description = "Map-reduce over a generated access log: lines/s sequentially and with 1, 2 and 4 workers")
    static final class Logs implements Callable<Integer> {
        @CommandLine.Mixin
        Workers workers = new Workers();

        @Option(names = "--lines", paramLabel = "N", defaultValue = "1000000",
                description = "log lines to generate (default: ${DEFAULT-VALUE})")
        int lines;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            requireAtLeast(spec, "--lines", lines, 1);
            String tooLarge = LogsSample.tooLargeForHeap(lines, Runtime.getRuntime().maxMemory());
            if (tooLarge != null) { // said now, not after minutes of generating it
                throw new CommandLine.ParameterException(spec.commandLine(), tooLarge);
            }
            // one thread per daemon, so that "4 workers" means four equal shares, not more threads per core
            workers.run(4, 1, endpoints -> LogsSample.run(endpoints, lines));
            return 0;
        }
    }

    @Command(name = "pipeline", mixinStandardHelpOptions = true,
            description = "Stages that wait for each other (thenCompose), with a fan-out/fan-in step")
    static final class Pipeline implements Callable<Integer> {
        @CommandLine.Mixin
        Workers workers = new Workers();

        @Override
        public Integer call() throws Exception {
            workers.run(2, 2, endpoints -> {
                try (Brokest brokest = Brokest.connect(endpoints.toArray(new String[0]))) {
                    PipelineSample.print(brokest);
                }
            });
            return 0;
        }
    }

    @Command(name = "pi", mixinStandardHelpOptions = true,
            description = "CPU-bound Monte Carlo estimate of pi, speed-up of all workers against one")
    static final class Pi implements Callable<Integer> {
        @CommandLine.Mixin
        Workers workers = new Workers();

        @Option(names = "--darts", paramLabel = "N", defaultValue = "400000000",
                description = "random points in total (default: ${DEFAULT-VALUE})")
        long darts;

        @Option(names = "--tasks", paramLabel = "N", defaultValue = "40", description = "tasks (default: ${DEFAULT-VALUE})")
        int tasks;

        @Option(names = "--local-workers", paramLabel = "N",
                description = "local daemons to start when no --workers are given (default: number of cores)")
        Integer localWorkers;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            requireAtLeast(spec, "--tasks", tasks, 1);
            requireAtLeast(spec, "--darts", darts, tasks); // a dart for each task at least
            if (localWorkers != null) {
                requireAtLeast(spec, "--local-workers", localWorkers, 1);
            }
            int count = localWorkers != null ? localWorkers : Runtime.getRuntime().availableProcessors();
            workers.run(count, 1, endpoints -> PiSample.run(endpoints, darts, tasks));
            return 0;
        }
    }
}
