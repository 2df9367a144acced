package io.brokest.samples.bench;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.brokest.Brokest;
import io.brokest.Task;
import io.brokest.internal.client.ClientEngine;
import io.brokest.internal.serial.KryoCodec;
import io.brokest.internal.wire.Message;
import io.brokest.internal.wire.Protocol;
import io.brokest.samples.LocalDaemons;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * {@code java -jar brokest-samples.jar bench}: every figure of the README's performance section in one
 * run, as a markdown table on stdout and as JSON in {@code bench-results.json}. Workers are real
 * daemon JVMs; the baselines (a local executor, raw JeroMQ to an echo server in another JVM) run in
 * the same run, so the ratios compare like with like on whatever machine this runs.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark against local worker daemons and raw JeroMQ; markdown on stdout, JSON in bench-results.json")
public final class Bench implements Callable<Integer> {
    @Option(names = "--quick", description = "a smaller run, under two minutes")
    boolean quick;

    @Option(names = "--full", description = "the big run: more repetitions, 5,000 sleep tasks")
    boolean full;

    @Option(names = "--output", paramLabel = "FILE", defaultValue = "bench-results.json",
            description = "where to write the JSON (default: ${DEFAULT-VALUE})")
    Path output;

    /** How much to measure. */
    record Plan(String name, int[] sleepCounts, int sleepReps, int sleepRepsShort, int sleepRepsLargest,
                int sleepRepsTarget, int latencySamples, int throughputTasks, int reps, int warmUpSeconds) {
        /**
         * Fewer repetitions where one takes long (the largest count on layouts with few threads), more
         * where one takes a second or less: there a single descheduled thread moves a repetition by
         * a percentage point, and a median of five still moved by one between runs of the same code.
         * Most on the rows the target is set on ({@link #TARGET_TASKS} tasks) that take a second or
         * less: there a median of 11 still had a standard error of 0.4-0.8 points, as large as the
         * target's margin, and a repetition costs little.
         */
        int repsFor(int n, double idealSeconds) {
            if (n == sleepCounts[sleepCounts.length - 1] && idealSeconds > 2) {
                return sleepRepsLargest;
            }
            if (n == TARGET_TASKS && idealSeconds <= 1) {
                return sleepRepsTarget;
            }
            return idealSeconds <= 1 ? sleepRepsShort : sleepReps;
        }
    }

    static final Plan QUICK = new Plan("quick", new int[] {100, 1000}, 3, 3, 1, 3, 2_000, 20_000, 3, 3);
    static final Plan DEFAULT = new Plan("default", new int[] {100, 1000}, 5, 11, 3, 31, 5_000, 50_000, 5, 5);
    static final Plan FULL = new Plan("full", new int[] {100, 1000, 5000}, 5, 11, 3, 41, 20_000, 200_000, 5, 8);

    /** Workers x threads per worker. */
    record Layout(int workers, int threads) {
        int totalThreads() {
            return workers * threads;
        }

        @Override
        public String toString() {
            return workers + " worker" + (workers == 1 ? "" : "s") + " x " + threads + " thread" + (threads == 1 ? "" : "s");
        }
    }

    static final List<Layout> LAYOUTS = List.of(new Layout(1, 1), new Layout(2, 1), new Layout(1, 10), new Layout(2, 10));
    static final int IN_FLIGHT = 1_000;
    static final long MAX_RUN_NANOS = TimeUnit.SECONDS.toNanos(3);
    /** How long the spinning raw receiver polls: as long as a Brokest caller may spin by default. */
    static final long SPIN_NANOS = ClientEngine.DEFAULT_SPIN_WAIT.toNanos();
    /** Compiler CPU over all of a layout's JVMs in a one-second warm-up round that counts as quiet. */
    static final long JIT_QUIET_MILLIS = 20;
    /** The sleep warm-up stops at this many times the plan's warm-up seconds, quiet or not. */
    static final int WARM_UP_LIMIT = 2;
    /** Draws for the standard error of a sleep row's difference ({@link Stats#medianDifferenceStandardError}). */
    static final int BOOTSTRAP_RESAMPLES = 2_000;
    /** The number of sleep tasks the target is set on. */
    static final int TARGET_TASKS = 1_000;
    /** The sleep rows that also measure the transport floor ({@link TransportFloor}): short, many threads. */
    static final int FLOOR_TASKS = TARGET_TASKS;
    static final int FLOOR_MIN_THREADS = 10;
    /** Layouts with fewer threads per worker first warm up on 1 ms tasks. */
    static final int FAST_WARM_UP_BELOW_THREADS = 10;

    static Integer noop() {
        return 0;
    }

    static Integer sleep10() throws InterruptedException {
        Thread.sleep(10);
        return 0;
    }

    /**
     * The one-thread layouts' first warm-up task: the sleep is the workload, like {@link #sleep10}'s,
     * at ten times the rate.
     */
    static Integer sleep1() throws InterruptedException {
        Thread.sleep(1);
        return 0;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (quick && full) {
            throw new CommandLine.ParameterException(spec.commandLine(), "choose one of --quick and --full");
        }
        checkWritable(output); // now, not after minutes of measuring
        Plan plan = full ? FULL : quick ? QUICK : DEFAULT;
        long started = System.nanoTime();
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("plan", plan.name());
        results.put("machine", machine());
        System.err.println("bench (" + plan.name() + "): starting worker daemons and the echo server ...");
        try (LocalDaemons oneThread = LocalDaemons.start(2, 1);
             LocalDaemons tenThreads = LocalDaemons.start(2, 10);
             LocalDaemons noopDaemon = LocalDaemons.start(1, 2);
             LocalDaemons deepDaemon = LocalDaemons.start(1, 2, "--prefetch", Integer.toString(IN_FLIGHT));
             LocalDaemons echo = LocalDaemons.startMain(EchoServer.class.getName(), "tcp://127.0.0.1:*")) {
            long noopPid = noopDaemon.pids().get(0);
            double rssIdle = rssMegabytes(noopPid);

            System.err.println("1/4 sleep tasks ...");
            results.put("sleepTasks", sleepTasks(plan, oneThread, tenThreads, echo.endpoints().get(0)));

            System.err.println("2/4 no-op tasks and raw JeroMQ ...");
            RssSampler busy = new RssSampler(noopPid);
            Map<String, Object> noops = noopTasks(plan, noopDaemon.endpoints().get(0),
                    deepDaemon.endpoints().get(0), echo.endpoints().get(0), busy);
            noops.putAll(localNoops(plan));
            results.put("noop", noops);

            System.err.println("3/4 memory ...");
            Map<String, Object> memory = new LinkedHashMap<>();
            memory.put("clientHeapMbPer10000Pending", clientHeapPer10000(noopDaemon.endpoints().get(0), noopPid));
            memory.put("workerRssIdleMb", rssIdle);
            memory.put("workerRssBusyMb", busy.peakMegabytes());
            results.put("memory", memory);

            System.err.println("4/4 class shipping ...");
            results.put("classShipping", classShipping(noopDaemon.endpoints().get(0)));
        }
        results.put("targets", targets(results));
        results.put("seconds", Stats.round((System.nanoTime() - started) / 1e9, 1));
        System.out.print(Markdown.render(results));
        Files.writeString(output, Json.write(results), StandardCharsets.UTF_8);
        System.err.println("wrote " + output.toAbsolutePath());
        return 0;
    }

    // ---- 1. sleep tasks ------------------------------------------------------------------------

    private static List<Map<String, Object>> sleepTasks(Plan plan, LocalDaemons oneThread, LocalDaemons tenThreads,
                                                        String echoEndpoint) throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Layout layout : LAYOUTS) {
            LocalDaemons daemons = layout.threads() == 1 ? oneThread : tenThreads;
            List<String> endpoints = daemons.endpoints().subList(0, layout.workers());
            List<Long> pids = new ArrayList<>(daemons.pids().subList(0, layout.workers()));
            pids.add(ProcessHandle.current().pid());
            ProcessCpu cpu = new ProcessCpu(pids); // the client and the layout's daemons
            ProcessCpu clientCpu = new ProcessCpu(List.of(ProcessHandle.current().pid()));
            ExecutorService pool = localPool(layout.totalThreads());
            try (Brokest brokest = Brokest.connect(endpoints.toArray(new String[0]))) {
                warmUp(brokest, plan); // the JIT compiles Brokest's paths in client and workers before we time them
                // and recompiles them for 10 ms tasks (the credit settles too)
                double warmUpSeconds = warmUpSleeps(brokest, layout, plan, cpu, pool);
                for (int n : plan.sleepCounts()) {
                    double ideal = n * 0.010 / layout.totalThreads();
                    int reps = plan.repsFor(n, ideal);
                    double[] remote = new double[reps];
                    double[] local = new double[reps];
                    boolean withFloor = n == FLOOR_TASKS && layout.threads() >= FLOOR_MIN_THREADS;
                    double[] floor = new double[withFloor ? reps : 0];
                    long remoteCpuMillis = 0;
                    long localCpuMillis = 0;
                    long compilerBefore = cpu.compilerMillis();
                    try (TransportFloor transport = withFloor ? new TransportFloor(echoEndpoint, submitFrameBytes()) : null) {
                        if (withFloor) {
                            transport.warmUp(TimeUnit.SECONDS.toMillis(plan.warmUpSeconds()) / 2);
                            localSleepsWithRoundTrips(pool, n, transport);
                        }
                        for (int r = 0; r < reps; r++) {
                            long before = cpu.totalMillis();
                            remote[r] = remoteSleeps(brokest, n);
                            remoteCpuMillis += cpu.totalMillis() - before;
                            before = clientCpu.totalMillis();
                            local[r] = localSleeps(pool, n);
                            localCpuMillis += clientCpu.totalMillis() - before;
                            if (withFloor) {
                                floor[r] = localSleepsWithRoundTrips(pool, n, transport);
                            }
                        }
                    }
                    long compilerMillis = cpu.compilerMillis() - compilerBefore;
                    double perTask = 1000.0 / ((double) n * reps); // from ms per run to us per task
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("tasks", n);
                    row.put("layout", layout.toString());
                    row.put("workers", layout.workers());
                    row.put("threadsPerWorker", layout.threads());
                    row.put("repetitions", reps);
                    row.put("idealSeconds", Stats.round(ideal, 3));
                    row.put("brokestSeconds", Stats.round(Stats.median(remote), 3));
                    row.put("brokestOverheadPct", Stats.round((Stats.median(remote) / ideal - 1) * 100, 2));
                    row.put("localSeconds", Stats.round(Stats.median(local), 3));
                    row.put("localOverheadPct", Stats.round((Stats.median(local) / ideal - 1) * 100, 2));
                    row.put("differencePp", Stats.round((Stats.median(remote) - Stats.median(local)) / ideal * 100, 2));
                    row.put("differenceStandardErrorPp", Stats.round(
                            Stats.medianDifferenceStandardError(remote, local, BOOTSTRAP_RESAMPLES) / ideal * 100, 2));
                    row.put("transportFloorPp", withFloor
                            ? Stats.round((Stats.median(floor) - Stats.median(local)) / ideal * 100, 2) : Double.NaN);
                    // each repetition's figures, and the median of the repetitions' own differences (each
                    // remote run beside the local one after it): a second estimate to set beside the
                    // difference of medians, since a spell of host noise may hit both runs of a pair
                    double[] paired = new double[reps];
                    for (int r = 0; r < reps; r++) {
                        paired[r] = (remote[r] - local[r]) / ideal * 100;
                    }
                    row.put("pairedDifferencePp", Stats.round(Stats.median(paired), 2));
                    row.put("brokestSecondsEach", Stats.rounded(remote, 4));
                    row.put("localSecondsEach", Stats.rounded(local, 4));
                    if (withFloor) {
                        row.put("transportFloorSecondsEach", Stats.rounded(floor, 4));
                    }
                    row.put("warmUpSeconds", Stats.round(warmUpSeconds, 1));
                    boolean measured = ProcessCpu.available();
                    row.put("brokestCpuMicrosPerTask", measured ? Stats.round(remoteCpuMillis * perTask, 0) : Double.NaN);
                    row.put("localCpuMicrosPerTask", measured ? Stats.round(localCpuMillis * perTask, 0) : Double.NaN);
                    row.put("jitCpuMsPerRep", measured ? Stats.round((double) compilerMillis / reps, 1) : Double.NaN);
                    rows.add(row);
                    System.err.println("  " + row);
                }
            } finally {
                stop(pool);
            }
        }
        rows.sort((a, b) -> Integer.compare((int) a.get("tasks"), (int) b.get("tasks")));
        return rows;
    }

    /** Refuses an output file that could not be written, as picocli refuses a bad option: a message and exit 2. */
    private void checkWritable(Path file) {
        Path absolute = file.toAbsolutePath();
        Path directory = absolute.getParent();
        boolean writable = Files.exists(absolute) ? Files.isRegularFile(absolute) && Files.isWritable(absolute)
                : directory != null && Files.isDirectory(directory) && Files.isWritable(directory);
        if (!writable) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--output " + file + " cannot be written"
                    + (directory != null && !Files.isDirectory(directory) ? ": " + directory + " is not a directory" : ""));
        }
    }

    /**
     * The timed workload itself, untimed, remote and local in turns: for the plan's warm-up seconds at
     * least, then until a round in which the compiler threads of the client and the layout's daemons
     * used at most {@link #JIT_QUIET_MILLIS} of CPU, for at most {@link #WARM_UP_LIMIT} times the
     * plan's seconds. Returns the seconds it took. No-op tasks alone leave the JIT work to do: with
     * 10 ms tasks the task threads' path takes other branches and types, and C2 goes on compiling it for
     * seconds at 2,000 tasks a second: after 2 s of them a probe still saw the daemons' compilers use
     * 70-100 ms of CPU per 1,000 tasks (tier-4 compiles of Kryo's and Brokest's per-task methods, from
     * {@code -Xlog:jit+compilation}), on a core the timed run needs; after 20 s, about 1 ms.
     *
     * <p>A worker of one thread runs only 100 of these tasks a second, so its per-task methods take
     * minutes to reach C2's thresholds (thousands of calls) and kept compiling through the timed rows:
     * 0-410 ms of compiler CPU per worker per 1,000 tasks in a probe. Layouts of fewer than
     * {@link #FAST_WARM_UP_BELOW_THREADS} threads a worker therefore first run 1 ms tasks for the plan's
     * seconds, ten times the rate, which the same probe saw bring that to 10-160 ms.
     */
    private static double warmUpSleeps(Brokest brokest, Layout layout, Plan plan, ProcessCpu cpu, ExecutorService pool)
            throws Exception {
        long start = System.nanoTime();
        long least = TimeUnit.SECONDS.toNanos(plan.warmUpSeconds());
        if (layout.threads() < FAST_WARM_UP_BELOW_THREADS) {
            while (System.nanoTime() - start < least) {
                remoteTasks(brokest, 500, Bench::sleep1);
            }
        }
        double fastSeconds = (System.nanoTime() - start) / 1e9;
        long tenMsStart = System.nanoTime();
        long most = least * WARM_UP_LIMIT;
        int n = 50 * layout.totalThreads(); // half a second each
        long roundCompiler;
        do {
            long compilerBefore = cpu.compilerMillis();
            remoteSleeps(brokest, n);
            localSleeps(pool, n);
            roundCompiler = cpu.compilerMillis() - compilerBefore;
        } while (System.nanoTime() - tenMsStart < least
                || (roundCompiler > JIT_QUIET_MILLIS && System.nanoTime() - tenMsStart < most));
        double seconds = (System.nanoTime() - start) / 1e9;
        System.err.printf("  %s: warmed up for %.1f s (%.1f s on 1 ms tasks, then 10 ms tasks); the compilers used"
                + " %d ms in the last round%n", layout, seconds, fastSeconds, roundCompiler);
        return seconds;
    }

    private static double remoteSleeps(Brokest brokest, int n) throws Exception {
        return remoteTasks(brokest, n, Bench::sleep10);
    }

    private static double remoteTasks(Brokest brokest, int n, Task<Integer> task) throws Exception {
        long start = System.nanoTime();
        CompletableFuture<?>[] futures = new CompletableFuture<?>[n];
        for (int i = 0; i < n; i++) {
            futures[i] = brokest.submit(task);
        }
        CompletableFuture.allOf(futures).get(10, TimeUnit.MINUTES);
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * A local executor, of a layout or of the no-op rows: created once and warmed up, as a long-running
     * application's pool would be, just as the worker daemons' task threads are. A new pool per
     * repetition (as before) ran each timed repetition on new threads: about 100 page faults on their
     * stacks inside the timed region (counted from /proc/self/stat), 5-9 us each on this VM, which
     * Brokest's warm task threads did not pay.
     */
    private static ExecutorService localPool(int threads) {
        ThreadPoolExecutor pool = (ThreadPoolExecutor) Executors.newFixedThreadPool(threads);
        pool.prestartAllCoreThreads();
        return pool;
    }

    private static void stop(ExecutorService pool) throws InterruptedException {
        pool.shutdownNow();
        // on the VM measured, each thread's exit cost 0.1-0.4 ms of CPU: let them all happen before
        // anything else is timed, not during it
        if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
            System.err.println("  warning: the local executor's threads did not stop within 10 s");
        }
    }

    /**
     * The local executor's run again, each task owing one raw JeroMQ round trip when it ends
     * ({@link TransportFloor}); timed until the last round trip is back, as a remote run is timed until
     * the last result is.
     */
    private static double localSleepsWithRoundTrips(ExecutorService pool, int n, TransportFloor transport)
            throws Exception {
        long owedBefore = transport.roundTrips();
        long start = System.nanoTime();
        List<Future<Integer>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            futures.add(pool.submit(() -> {
                Thread.sleep(10);
                transport.taskEnded();
                return 0;
            }));
        }
        for (Future<Integer> f : futures) {
            f.get();
        }
        if (!transport.awaitRoundTrips(owedBefore + n, TimeUnit.MINUTES.toMillis(1))) {
            throw new IllegalStateException("the transport floor's round trips did not all come back within a "
                    + "minute: the echo server stopped answering (see the warning above) or the host is overloaded");
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static double localSleeps(ExecutorService pool, int n) throws Exception {
        long start = System.nanoTime();
        List<Future<Integer>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            futures.add(pool.submit(Bench::sleep10));
        }
        for (Future<Integer> f : futures) {
            f.get();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    // ---- 2. no-op tasks and the baselines --------------------------------------------------------

    /**
     * Brokest (at the default prefetch and at {@code --prefetch 1000}) and raw JeroMQ, measured in turns
     * within each repetition, so the host's drift between minutes moves both sides of each ratio; the
     * ratios are medians of the per-repetition ratios.
     *
     * <p>A Brokest caller blocked in {@code get()} spins briefly before it parks ({@code spinWait}), which
     * a blocking {@code recv} does not. So that the round trip is not compared with a slower baseline
     * than it could be, raw JeroMQ is timed both ways, blocking and with its receiver spinning for as
     * long as Brokest's would, and Brokest with spinning off too; the target is judged against both.
     */
    private static Map<String, Object> noopTasks(Plan plan, String endpoint, String deepEndpoint, String echoEndpoint,
                                                 RssSampler busy) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        int frameBytes = submitFrameBytes();
        out.put("submitFrameBytes", frameBytes);
        busy.start();
        try (Brokest brokest = Brokest.builder().workers(endpoint).maxPending(IN_FLIGHT, false).build();
             Brokest deep = Brokest.builder().workers(deepEndpoint).maxPending(IN_FLIGHT, false).build();
             Brokest parked = Brokest.builder().workers(endpoint).spinWait(Duration.ZERO).build();
             ZContext context = new ZContext(1)) {
            ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);
            dealer.setLinger(0);
            dealer.setSndHWM(100_000);
            dealer.setRcvHWM(100_000);
            dealer.connect(echoEndpoint);
            byte[] frame = new byte[frameBytes];
            frame[0] = EchoServer.RAW;
            KryoClient kryo = new KryoClient(frameBytes - 23);

            warmUp(brokest, plan);
            warmUp(deep, plan);
            brokestLatencies(brokest, plan.latencySamples());
            brokestLatencies(parked, plan.latencySamples());
            rawLatencies(dealer, frame, plan.latencySamples(), 0);
            rawLatencies(dealer, frame, plan.latencySamples(), SPIN_NANOS);
            pipelined(dealer, plan.throughputTasks(), () -> frame, f -> { });
            pipelined(dealer, plan.throughputTasks(), kryo::request, kryo::reply);

            int reps = plan.reps();
            double[] p50 = new double[reps];
            double[] p99 = new double[reps];
            double[] rate = new double[reps];
            double[] deepRate = new double[reps];
            double[] rawP50 = new double[reps];
            double[] rawP99 = new double[reps];
            double[] parkedP50 = new double[reps];
            double[] rawSpinP50 = new double[reps];
            double[] spinRatio = new double[reps];
            double[] parkedRatio = new double[reps];
            double[] rawRate = new double[reps];
            double[] kryoRate = new double[reps];
            double[] p50Ratio = new double[reps];
            double[] rateRatio = new double[reps];
            double[] deepRatio = new double[reps];
            int tasks = plan.throughputTasks() * 5;
            for (int r = 0; r < reps; r++) {
                double[] micros = brokestLatencies(brokest, plan.latencySamples());
                p50[r] = Stats.percentile(micros, 50);
                p99[r] = Stats.percentile(micros, 99);
                micros = rawLatencies(dealer, frame, plan.latencySamples(), 0);
                rawP50[r] = Stats.percentile(micros, 50);
                rawP99[r] = Stats.percentile(micros, 99);
                parkedP50[r] = Stats.percentile(brokestLatencies(parked, plan.latencySamples()), 50);
                rawSpinP50[r] = Stats.percentile(rawLatencies(dealer, frame, plan.latencySamples(), SPIN_NANOS), 50);
                rate[r] = brokestThroughput(brokest, tasks);
                kryoRate[r] = pipelined(dealer, tasks, kryo::request, kryo::reply);
                deepRate[r] = brokestThroughput(deep, tasks);
                rawRate[r] = pipelined(dealer, tasks, () -> frame, f -> { });
                p50Ratio[r] = p50[r] / rawP50[r];
                spinRatio[r] = p50[r] / rawSpinP50[r];
                parkedRatio[r] = parkedP50[r] / rawP50[r];
                rateRatio[r] = rate[r] / kryoRate[r];
                deepRatio[r] = deepRate[r] / kryoRate[r];
            }
            out.put("brokestP50Micros", Stats.round(Stats.median(p50), 1));
            out.put("brokestP99Micros", Stats.round(Stats.median(p99), 1));
            out.put("brokestTasksPerSecond", Math.round(Stats.median(rate)));
            out.put("brokestPrefetch1000TasksPerSecond", Math.round(Stats.median(deepRate)));
            out.put("rawP50Micros", Stats.round(Stats.median(rawP50), 1));
            out.put("rawP99Micros", Stats.round(Stats.median(rawP99), 1));
            out.put("rawPipelinedPerSecond", Math.round(Stats.median(rawRate)));
            out.put("rawKryoPipelinedPerSecond", Math.round(Stats.median(kryoRate)));
            out.put("p50RatioToRaw", Stats.round(Stats.median(p50Ratio), 2));
            out.put("rawSpinningP50Micros", Stats.round(Stats.median(rawSpinP50), 1));
            out.put("p50RatioToRawSpinning", Stats.round(Stats.median(spinRatio), 2));
            out.put("brokestNoSpinP50Micros", Stats.round(Stats.median(parkedP50), 1));
            out.put("noSpinP50RatioToRaw", Stats.round(Stats.median(parkedRatio), 2));
            out.put("throughputRatioToRawKryo", Stats.round(Stats.median(rateRatio), 3));
            out.put("prefetch1000ThroughputRatioToRawKryo", Stats.round(Stats.median(deepRatio), 3));
        } finally {
            busy.stop();
        }
        return out;
    }

    private static int submitFrameBytes() {
        Task<Integer> task = Bench::noop;
        byte[] payload = new KryoCodec(Bench.class.getClassLoader(), 1 << 20).serialize(task);
        return Protocol.encode(new Message.Submit(1, 1, 0, payload)).length;
    }

    private static double[] brokestLatencies(Brokest brokest, int samples) throws Exception {
        double[] micros = new double[samples];
        for (int i = 0; i < samples; i++) {
            long start = System.nanoTime();
            brokest.submit(Bench::noop).get(30, TimeUnit.SECONDS);
            micros[i] = (System.nanoTime() - start) / 1e3;
        }
        return micros;
    }

    /**
     * No-op tasks, {@link #IN_FLIGHT} in flight, for the plan's warm-up seconds: a long-running client
     * and worker are JIT-compiled, and the baselines (JDK executors, raw JeroMQ after its own warm-up
     * runs) are too, so Brokest is timed warm as well.
     */
    private static void warmUp(Brokest brokest, Plan plan) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(plan.warmUpSeconds());
        while (System.nanoTime() - end < 0) {
            brokestThroughput(brokest, 20_000);
        }
    }

    /**
     * Tasks per second with up to {@link #IN_FLIGHT} in flight (the client's maxPending): {@code tasks}
     * tasks, or as many as were submitted in {@link #MAX_RUN_NANOS}, so a slow setup stays a short run.
     */
    private static double brokestThroughput(Brokest brokest, int tasks) throws Exception {
        CountDownLatch done = new CountDownLatch(tasks);
        long start = System.nanoTime();
        int submitted = 0;
        while (submitted < tasks && System.nanoTime() - start < MAX_RUN_NANOS) {
            brokest.submit(Bench::noop).whenComplete((v, e) -> done.countDown());
            submitted++;
        }
        for (int unsent = submitted; unsent < tasks; unsent++) {
            done.countDown();
        }
        if (!done.await(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("no-op tasks did not finish in 2 minutes");
        }
        return submitted / ((System.nanoTime() - start) / 1e9);
    }

    /** Round trips one at a time; the receiver polls for up to {@code spinNanos} before it blocks. */
    private static double[] rawLatencies(ZMQ.Socket dealer, byte[] frame, int samples, long spinNanos) {
        double[] micros = new double[samples];
        for (int i = 0; i < samples; i++) {
            long start = System.nanoTime();
            dealer.send(frame, 0);
            byte[] reply = null;
            while (spinNanos > 0 && reply == null && System.nanoTime() - start < spinNanos) {
                reply = dealer.recv(ZMQ.DONTWAIT);
                if (reply == null) {
                    Thread.onSpinWait();
                }
            }
            if (reply == null) {
                dealer.recv(0);
            }
            micros[i] = (System.nanoTime() - start) / 1e3;
        }
        return micros;
    }

    /** Messages per second, keeping up to {@link #IN_FLIGHT} requests outstanding on one socket. */
    private static double pipelined(ZMQ.Socket dealer, int messages, java.util.function.Supplier<byte[]> request,
                                    java.util.function.Consumer<byte[]> reply) {
        long start = System.nanoTime();
        int sent = 0;
        int received = 0;
        while (received < messages) {
            while (sent < messages && sent - received < IN_FLIGHT) {
                dealer.send(request.get(), 0);
                sent++;
            }
            reply.accept(dealer.recv(0));
            received++;
        }
        return messages / ((System.nanoTime() - start) / 1e9);
    }

    /** The client half of the Kryo baseline: one Kryo, one buffer, a fresh envelope per message. */
    private static final class KryoClient {
        private final Kryo kryo = EchoServer.newKryo();
        private final Output output = new Output(256, -1);
        private final Input input = new Input();
        private final byte[] payload;
        private long ids;

        KryoClient(int payloadBytes) {
            this.payload = new byte[Math.max(1, payloadBytes)];
        }

        byte[] request() {
            EchoServer.Envelope envelope = new EchoServer.Envelope();
            envelope.id = ++ids;
            envelope.attempt = 1;
            envelope.payload = payload;
            output.reset();
            output.writeByte(EchoServer.KRYO);
            kryo.writeObject(output, envelope);
            return output.toBytes();
        }

        void reply(byte[] frame) {
            input.setBuffer(frame, 1, frame.length - 1);
            kryo.readObject(input, EchoServer.Envelope.class);
        }
    }

    /** The same no-op on a local two-thread executor: latency and rate with 1,000 in flight. */
    private static Map<String, Object> localNoops(Plan plan) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        ExecutorService pool = localPool(2);
        try {
            double[] p50 = new double[plan.reps()];
            double[] rate = new double[plan.reps()];
            for (int r = -1; r < plan.reps(); r++) { // r = -1: warm-up
                double[] micros = new double[plan.latencySamples()];
                for (int i = 0; i < micros.length; i++) {
                    long start = System.nanoTime();
                    pool.submit(Bench::noop).get();
                    micros[i] = (System.nanoTime() - start) / 1e3;
                }
                Semaphore window = new Semaphore(IN_FLIGHT);
                int tasks = plan.throughputTasks() * 5;
                long start = System.nanoTime();
                for (int i = 0; i < tasks; i++) {
                    window.acquire();
                    pool.execute(() -> {
                        noop();
                        window.release();
                    });
                }
                window.acquire(IN_FLIGHT);
                if (r >= 0) {
                    p50[r] = Stats.percentile(micros, 50);
                    rate[r] = tasks / ((System.nanoTime() - start) / 1e9);
                }
            }
            out.put("localP50Micros", Stats.round(Stats.median(p50), 1));
            out.put("localTasksPerSecond", Math.round(Stats.median(rate)));
        } finally {
            stop(pool);
        }
        return out;
    }

    // ---- 3. memory ---------------------------------------------------------------------------------

    /**
     * Used heap after GC with 10,000 tasks pending, minus before. The worker is frozen with SIGSTOP, so
     * nothing completes while we measure.
     */
    private static double clientHeapPer10000(String endpoint, long workerPid) throws Exception {
        try (Brokest brokest = Brokest.builder().workers(endpoint).closeTimeout(Duration.ofSeconds(1)).build()) {
            brokest.submit(Bench::noop).get(30, TimeUnit.SECONDS); // loads and warms everything once
            signal("STOP", workerPid);
            try {
                long before = usedHeapAfterGc();
                List<CompletableFuture<Integer>> pending = new ArrayList<>(10_000);
                for (int i = 0; i < 10_000; i++) {
                    pending.add(brokest.submit(Bench::noop));
                }
                long after = usedHeapAfterGc();
                if (brokest.pendingTasks() < 9_000) {
                    throw new IllegalStateException("tasks completed while the worker was stopped?");
                }
                return Stats.round((after - before) / 1e6, 2);
            } finally {
                signal("CONT", workerPid);
            }
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void signal(String signal, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + signal + " " + pid + " failed");
        }
    }

    static double rssMegabytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Stats.round(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0, 1);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return Double.NaN;
    }

    /** Samples a process's resident memory every 20 ms and keeps the peak. */
    static final class RssSampler {
        private final long pid;
        private final AtomicLong peakKb = new AtomicLong();
        private volatile boolean running;
        private Thread thread;

        RssSampler(long pid) {
            this.pid = pid;
        }

        void start() {
            running = true;
            thread = new Thread(() -> {
                while (running) {
                    double mb = rssMegabytes(pid);
                    if (!Double.isNaN(mb)) {
                        peakKb.accumulateAndGet((long) (mb * 1024), Math::max);
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "rss-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
        }

        double peakMegabytes() {
            return peakKb.get() == 0 ? Double.NaN : Stats.round(peakKb.get() / 1024.0, 1);
        }
    }

    // ---- 4. class shipping --------------------------------------------------------------------------

    // Each probe is a class the worker has never seen, so its first task makes the worker fetch it.
    static final class Probe1 implements Task<Integer> { public Integer call() { return 1; } }
    static final class Probe2 implements Task<Integer> { public Integer call() { return 2; } }
    static final class Probe3 implements Task<Integer> { public Integer call() { return 3; } }
    static final class Probe4 implements Task<Integer> { public Integer call() { return 4; } }
    static final class Probe5 implements Task<Integer> { public Integer call() { return 5; } }
    static final class Probe6 implements Task<Integer> { public Integer call() { return 6; } }
    static final class Probe7 implements Task<Integer> { public Integer call() { return 7; } }

    private static Map<String, Object> classShipping(String endpoint) throws Exception {
        List<Task<Integer>> probes = List.of(new Probe1(), new Probe2(), new Probe3(), new Probe4(), new Probe5(),
                new Probe6(), new Probe7());
        double[] cold = new double[probes.size()];
        double[] warm = new double[probes.size()];
        try (Brokest brokest = Brokest.connect(endpoint)) {
            brokestLatencies(brokest, 500); // the session, its loader and Brokest's own paths are warm
            for (int i = 0; i < probes.size(); i++) {
                Task<Integer> probe = probes.get(i);
                cold[i] = time(brokest, probe);
                double[] again = new double[50];
                for (int j = 0; j < again.length; j++) {
                    again[j] = time(brokest, probe);
                }
                warm[i] = Stats.median(again);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("classes", probes.size());
        out.put("firstTaskMicrosP50", Stats.round(Stats.median(cold), 1));
        out.put("warmTaskMicrosP50", Stats.round(Stats.median(warm), 1));
        out.put("firstTaskMicrosAll", Arrays.stream(cold).map(v -> Stats.round(v, 1)).boxed().toList());
        return out;
    }

    private static double time(Brokest brokest, Task<Integer> task) throws Exception {
        long start = System.nanoTime();
        brokest.submit(task).get(30, TimeUnit.SECONDS);
        return (System.nanoTime() - start) / 1e3;
    }

    // ---- the verdict and the machine ----------------------------------------------------------------

    /**
     * The targets, each with the figure that decides it and whether it is met. A sleep row's
     * figure carries its standard error where it has one, since a miss or a pass by less than that
     * says little about the next run.
     */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> targets(Map<String, Object> results) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> row : (List<Map<String, Object>>) results.get("sleepTasks")) {
            if ((int) row.get("tasks") == 1000) {
                double pp = num(row, "differencePp");
                double error = num(row, "differenceStandardErrorPp");
                out.add(target("10 ms x 1,000, " + row.get("layout") + ": overhead within 0.5 pp of the local executor",
                        String.format("%+.2f pp", pp) + (Double.isNaN(error) ? "" : String.format(" (± %.2f)", error)),
                        pp <= 0.5));
            }
        }
        Map<String, Object> noop = (Map<String, Object>) results.get("noop");
        double p50 = num(noop, "p50RatioToRaw");
        double p50Spinning = num(noop, "p50RatioToRawSpinning");
        out.add(target("no-op round trip p50 <= 1.3 x raw JeroMQ (blocking recv; spinning recv)",
                String.format("%.2f x; %.2f x", p50, p50Spinning), p50 <= 1.3 && p50Spinning <= 1.3));
        double rate = num(noop, "throughputRatioToRawKryo");
        out.add(target("no-op throughput >= 1/4 of raw JeroMQ+Kryo pipelined (default prefetch)",
                String.format("%.3f", rate), rate >= 0.25));
        double deep = num(noop, "prefetch1000ThroughputRatioToRawKryo");
        out.add(target("the same with --prefetch 1000", String.format("%.3f", deep), deep >= 0.25));
        return out;
    }

    private static Map<String, Object> target(String what, String figure, boolean met) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("target", what);
        t.put("figure", figure);
        t.put("met", met);
        return t;
    }

    static double num(Map<String, Object> map, String key) {
        return ((Number) map.get(key)).doubleValue();
    }

    private static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("cpu", cpuModel());
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        // other work on the host skews every figure: say how busy it was when the run began
        m.put("loadAverageAtStart", loadAverage());
        return m;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }
}
