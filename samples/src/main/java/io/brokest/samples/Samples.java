package io.brokest.samples;

import io.brokest.Brokest;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of {@code brokest-samples.jar}: {@code java -jar samples/target/brokest-samples.jar demo}.
 * Each sample runs against the daemons given with {@code --workers}, or starts its own local ones.
 */
@Command(name = "brokest-samples", mixinStandardHelpOptions = true,
        subcommands = {Samples.Demo.class},
        description = "Runnable Brokest examples. Without --workers, each starts local worker daemons itself.")
public final class Samples implements Runnable {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Samples()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Options every sample shares. */
    static class Workers {
        @Option(names = "--workers", split = ",", paramLabel = "ENDPOINT",
                description = "worker daemons to use, e.g. tcp://127.0.0.1:5555 (default: start local ones)")
        List<String> endpoints;
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "A lambda, a method reference, a task object and a task that throws, on a real daemon")
    static final class Demo implements Callable<Integer> {
        @CommandLine.Mixin
        Workers workers = new Workers();

        @Override
        public Integer call() throws Exception {
            if (workers.endpoints != null && !workers.endpoints.isEmpty()) {
                try (Brokest brokest = Brokest.connect(workers.endpoints.toArray(new String[0]))) {
                    DemoSample.run(brokest);
                }
                return 0;
            }
            System.out.println("starting a local worker daemon (java -jar worker-daemon.jar) ...");
            try (LocalDaemons daemons = LocalDaemons.start(1, 2);
                 Brokest brokest = Brokest.connect(daemons.endpointArray())) {
                System.out.println("worker daemon ready on " + daemons.endpoints().get(0) + " (pid "
                        + daemons.pids().get(0) + ")");
                DemoSample.run(brokest);
            }
            return 0;
        }
    }
}
