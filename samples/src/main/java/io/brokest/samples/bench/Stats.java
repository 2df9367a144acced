package io.brokest.samples.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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

    /** Each value rounded, in the order measured: for the JSON, where the spread can be looked at later. */
    static List<Double> rounded(double[] values, int decimals) {
        List<Double> out = new ArrayList<>(values.length);
        for (double v : values) {
            out.add(round(v, decimals));
        }
        return out;
    }

    static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
