package io.brokest.samples.bench;

import java.util.Arrays;

/** Percentiles and medians by sorting: exact, and plenty fast for benchmark-sized samples. */
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

    static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
