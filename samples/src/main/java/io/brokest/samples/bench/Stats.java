package io.brokest.samples.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Percentiles and medians by sorting (exact, and plenty fast for benchmark-sized samples), and the
 * bootstrap standard error of a difference of two medians.
 */
final class Stats {
    private Stats() {
    }

    /** The {@code p}-th percentile (0..100) by the nearest-rank method. */
    static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double median(double[] values) {
        return percentile(values, 50);
    }

    /**
     * The standard error of {@code median(a) - median(b)}, by the bootstrap: the standard deviation of
     * that difference over {@code resamples} draws of each sample with replacement. The seed is fixed,
     * so the same figures always give the same answer. NaN where either sample has fewer than five
     * values, too few to resample.
     */
    static double medianDifferenceStandardError(double[] a, double[] b, int resamples) {
        if (a.length < 5 || b.length < 5 || resamples < 2) {
            return Double.NaN;
        }
        SplittableRandom random = new SplittableRandom(20261204L);
        double[] differences = new double[resamples];
        for (int i = 0; i < resamples; i++) {
            differences[i] = median(resample(a, random)) - median(resample(b, random));
        }
        double mean = Arrays.stream(differences).average().orElse(Double.NaN);
        double squares = 0;
        for (double d : differences) {
            squares += (d - mean) * (d - mean);
        }
        return Math.sqrt(squares / (resamples - 1));
    }

    private static double[] resample(double[] values, SplittableRandom random) {
        double[] drawn = new double[values.length];
        for (int i = 0; i < drawn.length; i++) {
            drawn[i] = values[random.nextInt(values.length)];
        }
        return drawn;
    }

    /** Each value rounded, in the order measured: for the JSON, where the spread can be looked at later. */
    static List<Double> rounded(double[] values, int decimals) {
        List<Double> out = new ArrayList<>(values.length);
        for (double v : values) {
            out.add(round(v, decimals));
        }
        return out;
    }

    /** Rounded to {@code decimals}; NaN (a figure that could not be measured) stays NaN. */
    static double round(double value, int decimals) {
        if (Double.isNaN(value)) {
            return value;
        }
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
