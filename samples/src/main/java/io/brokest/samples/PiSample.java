package io.brokest.samples;

import io.brokest.Brokest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * CPU-bound work split over workers: a Monte Carlo estimate of pi. Each task throws darts at the unit
 * square with its own random seed and counts those inside the quarter circle; the client adds the
 * counts. Nothing but two numbers travels each way, so the speed-up is the workers' cores.
 */
public final class PiSample {
    private PiSample() {
    }

    /** One task's share: how many of {@code darts} random points fall inside the quarter circle. */
    public static long countInside(long darts, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long inside = 0;
        for (long i = 0; i < darts; i++) {
            double x = random.nextDouble();
            double y = random.nextDouble();
            if (x * x + y * y <= 1.0) {
                inside++;
            }
        }
        return inside;
    }

    /** Splits {@code darts} over {@code tasks} tasks and returns the estimate of pi. */
    public static double estimate(Brokest brokest, long darts, int tasks) {
        long perTask = darts / tasks;
        List<CompletableFuture<Long>> parts = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            parts.add(brokest.queue(PiSample::countInside, perTask, 1_000_003L * i));
        }
        long inside = 0;
        for (CompletableFuture<Long> part : parts) {
            inside += part.join();
        }
        return 4.0 * inside / (perTask * tasks);
    }

    /** How often each layout is timed; the median is printed. */
    static final int REPETITIONS = 3;

    /**
     * Runs the estimate on the first worker alone, then on all, and prints the speed-up. Every worker
     * runs a share of darts first, alone, so that the JIT has compiled the dart loop on each before
     * anything is timed: otherwise the first worker's timed run also pays for its compiles, and the
     * speed-up came out above the number of workers.
     */
    public static void run(List<String> endpoints, long darts, int tasks) {
        for (String endpoint : endpoints) {
            try (Brokest one = Brokest.connect(endpoint)) {
                estimate(one, darts / 10, tasks);
            }
        }
        double oneWorkerSeconds = 0;
        for (int workers : new int[] {1, endpoints.size()}) {
            try (Brokest brokest = Brokest.connect(endpoints.subList(0, workers).toArray(new String[0]))) {
                double[] seconds = new double[REPETITIONS];
                double pi = 0;
                for (int r = 0; r < REPETITIONS; r++) {
                    long start = System.nanoTime();
                    pi = estimate(brokest, darts, tasks);
                    seconds[r] = (System.nanoTime() - start) / 1e9;
                }
                Arrays.sort(seconds);
                double median = seconds[REPETITIONS / 2];
                if (workers == 1) {
                    oneWorkerSeconds = median;
                }
                System.out.printf("%d worker%s  pi ~ %.6f (error %.1e)  %.2f s (median of %d)  %,.0f darts/s  speed-up x%.2f%n",
                        workers, workers == 1 ? " " : "s", pi, Math.abs(pi - Math.PI), median, REPETITIONS,
                        darts / median, oneWorkerSeconds / median);
            }
            if (endpoints.size() == 1) {
                break;
            }
        }
    }
}
