package io.brokest.samples.bench;

import java.util.List;
import java.util.Map;

/** Renders the benchmark's results as the README's markdown tables. */
final class Markdown {
    private Markdown() {
    }

    @SuppressWarnings("unchecked")
    static String render(Map<String, Object> r) {
        StringBuilder out = new StringBuilder();
        Map<String, Object> machine = (Map<String, Object>) r.get("machine");
        out.append(String.format("## Brokest benchmark (%s run, %s s)%n%n", r.get("plan"), r.get("seconds")));
        out.append(String.format("%s cores, %s, %s, %s; client, worker daemons and echo server on one host "
                        + "(load average at start: %s).%n%n", machine.get("cores"), machine.get("cpu"), machine.get("java"),
                machine.get("os"), machine.get("loadAverageAtStart")));

        out.append("### 1. Tasks that sleep 10 ms (wall time, median of repetitions)\n\n");
        out.append("| tasks | layout | ideal s | Brokest s | Brokest overhead | local executor s | local overhead | difference (± standard error) "
                + "| CPU per task, Brokest | CPU per task, local | JIT CPU per repetition |\n");
        out.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map<String, Object> row : (List<Map<String, Object>>) r.get("sleepTasks")) {
            double standardError = num(row, "differenceStandardErrorPp");
            String difference = String.format(Double.isNaN(standardError) ? "%+.2f pp" : "%+.2f ± %.2f pp",
                    num(row, "differencePp"), standardError);
            out.append(String.format("| %,d | %s | %.3f | %.3f | %.2f %% | %.3f | %.2f %% | %s | %.0f us | %.0f us | %.0f ms |%n",
                    (int) row.get("tasks"), row.get("layout"), num(row, "idealSeconds"), num(row, "brokestSeconds"),
                    num(row, "brokestOverheadPct"), num(row, "localSeconds"), num(row, "localOverheadPct"),
                    difference, num(row, "brokestCpuMicrosPerTask"), num(row, "localCpuMicrosPerTask"),
                    num(row, "jitCpuMsPerRep")));
        }
        out.append("\nThe difference is the Brokest median's overhead minus the local executor's; its standard error "
                + "comes from the repetitions themselves (the bootstrap, where a row has five or more), so a difference "
                + "is known to about twice that either way. `repetitions` in the JSON says how many each row ran.\n");
        out.append("\nCPU per task is what all the threads of the client and the layout's daemons used in the timed "
                + "Brokest repetitions, against what this JVM used in the local executor's, per task (10 ms resolution "
                + "per repetition, from /proc). Before the rows of each layout, its client and daemons ran 10 ms tasks "
                + "until their JIT compilers went quiet or for twice the plan's warm-up at most, after 1 ms tasks for "
                + "the plan's warm-up on layouts of one thread a worker (`warmUpSeconds` in the JSON, all of it); the "
                + "last column is the CPU the compilers of all the layout's JVMs still used per timed "
                + "repetition (remote and local run together, and the transport floor's run where there is one).\n");
        StringBuilder floors = new StringBuilder();
        for (Map<String, Object> row : (List<Map<String, Object>>) r.get("sleepTasks")) {
            if (!Double.isNaN(num(row, "transportFloorPp"))) {
                floors.append(String.format("%s%s: %+.2f pp", floors.length() == 0 ? "" : "; ", row.get("layout"),
                        num(row, "transportFloorPp")));
            }
        }
        if (floors.length() > 0) {
            out.append(String.format("%nTransport floor, 1,000 tasks (the same local executor, each task followed by "
                    + "one raw JeroMQ round trip to the echo server, timed until the last is back; the least any "
                    + "ZeroMQ-based remote executor adds, in points over the local executor alone): %s.%n", floors));
        }

        Map<String, Object> n = (Map<String, Object>) r.get("noop");
        out.append(String.format("%n### 2. No-op tasks (1 worker x 2 threads; frames of %d bytes)%n%n",
                (int) n.get("submitFrameBytes")));
        out.append("Brokest and raw JeroMQ are measured in turns within each repetition; a ratio is the median of "
                + "the repetitions' ratios. A Brokest caller blocked in get() spins up to 200 us before it parks "
                + "(spinWait); raw JeroMQ's receiver is timed blocking in recv and spinning as long.\n\n");
        out.append("| measure | Brokest | raw JeroMQ DEALER-ROUTER | Brokest / raw | local executor |\n");
        out.append("|---|---:|---:|---:|---:|\n");
        out.append(String.format("| round trip p50, one at a time | %.1f us | %.1f us | %.2f x | %.1f us |%n",
                num(n, "brokestP50Micros"), num(n, "rawP50Micros"), num(n, "p50RatioToRaw"), num(n, "localP50Micros")));
        out.append(String.format("| round trip p50, raw receiver spinning | %.1f us | %.1f us | %.2f x | |%n",
                num(n, "brokestP50Micros"), num(n, "rawSpinningP50Micros"), num(n, "p50RatioToRawSpinning")));
        out.append(String.format("| round trip p50, Brokest spinWait(0) (parks at once) | %.1f us | %.1f us | %.2f x | |%n",
                num(n, "brokestNoSpinP50Micros"), num(n, "rawP50Micros"), num(n, "noSpinP50RatioToRaw")));
        out.append(String.format("| round trip p99, one at a time | %.1f us | %.1f us | %.2f x | |%n",
                num(n, "brokestP99Micros"), num(n, "rawP99Micros"), num(n, "brokestP99Micros") / num(n, "rawP99Micros")));
        out.append(String.format("| throughput, 1,000 in flight (daemon default prefetch: adaptive, 6 credits for 2 threads growing to 1,002 for short tasks) | %,.0f /s | %,.0f /s (with Kryo) | %.3f | %,.0f /s |%n",
                num(n, "brokestTasksPerSecond"), num(n, "rawKryoPipelinedPerSecond"), num(n, "throughputRatioToRawKryo"),
                num(n, "localTasksPerSecond")));
        out.append(String.format("| throughput, 1,000 in flight (worker --prefetch 1000) | %,.0f /s | %,.0f /s (with Kryo) | %.3f | |%n",
                num(n, "brokestPrefetch1000TasksPerSecond"), num(n, "rawKryoPipelinedPerSecond"),
                num(n, "prefetch1000ThroughputRatioToRawKryo")));
        out.append(String.format("| raw pipelined, no Kryo | | %,.0f /s | | |%n", num(n, "rawPipelinedPerSecond")));

        Map<String, Object> m = (Map<String, Object>) r.get("memory");
        out.append("\n### 3. Memory\n\n| measure | MB |\n|---|---:|\n");
        out.append(String.format("| client heap per 10,000 pending tasks (after GC) | %.2f |%n",
                num(m, "clientHeapMbPer10000Pending")));
        out.append(String.format("| worker daemon resident memory, idle (VmRSS) | %.1f |%n", num(m, "workerRssIdleMb")));
        out.append(String.format("| worker daemon resident memory, busy (peak VmRSS) | %.1f |%n", num(m, "workerRssBusyMb")));

        Map<String, Object> c = (Map<String, Object>) r.get("classShipping");
        out.append("\n### 4. Class shipping (task round trip, median)\n\n| first task of a class new to the worker | same task, warm |\n|---:|---:|\n");
        out.append(String.format("| %.1f us | %.1f us |%n", num(c, "firstTaskMicrosP50"), num(c, "warmTaskMicrosP50")));

        out.append("\n### Targets\n\n| target | figure | met |\n|---|---:|---|\n");
        for (Map<String, Object> t : (List<Map<String, Object>>) r.get("targets")) {
            out.append(String.format("| %s | %s | %s |%n", t.get("target"), t.get("figure"),
                    (boolean) t.get("met") ? "yes" : "**no**"));
        }
        return out.toString();
    }

    private static double num(Map<String, Object> map, String key) {
        return Bench.num(map, key);
    }
}
