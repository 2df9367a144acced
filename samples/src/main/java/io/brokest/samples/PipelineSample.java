package io.brokest.samples;

import io.brokest.Brokest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Tasks that depend on each other, composed with {@link CompletableFuture}:
 *
 * <ol>
 *   <li>stage one builds a price list on a worker;</li>
 *   <li>only when it is done ({@code thenCompose}), stage two fans out: one task per batch of orders,
 *       each priced with that list on whichever worker is free;</li>
 *   <li>the fan-in ({@code allOf}) adds the batches' revenue per region;</li>
 *   <li>a last task, again started only when the fan-in is done, ranks the regions.</li>
 * </ol>
 *
 * Nothing blocks until the final {@code join()}: the client thread only wires the stages together.
 */
public final class PipelineSample {
    static final String[] SKUS = {"apple", "bread", "cheese", "dates", "eggs", "flour", "grapes", "honey"};
    static final String[] REGIONS = {"north", "south", "east", "west"};

    private PipelineSample() {
    }

    /** One order line: which region, which product, how many. */
    public record Order(String region, String sku, int quantity) {
    }

    /** What the pipeline produces: revenue per region (cents) and the regions ranked by it. */
    public record Result(Map<String, Long> revenueByRegion, List<String> ranking) {
    }

    /** Stage one: a price list in cents. Imagine a slow lookup in a catalogue service. */
    public static Map<String, Long> priceList(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Long> prices = new TreeMap<>();
        for (String sku : SKUS) {
            prices.put(sku, 50L + random.nextInt(950));
        }
        return prices;
    }

    /** Stage two, one task per batch: revenue per region of these orders, at these prices. */
    public static Map<String, Long> priceBatch(List<Order> orders, Map<String, Long> prices) {
        Map<String, Long> revenue = new TreeMap<>();
        for (Order o : orders) {
            revenue.merge(o.region(), o.quantity() * prices.get(o.sku()), Long::sum);
        }
        return revenue;
    }

    /** The last stage: regions by revenue, highest first. */
    public static List<String> rank(Map<String, Long> revenue) {
        return revenue.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(Map.Entry::getKey).toList();
    }

    /** Deterministic sample orders, cut into batches. */
    public static List<List<Order>> orders(int batches, int ordersPerBatch, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<List<Order>> all = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            List<Order> batch = new ArrayList<>();
            for (int i = 0; i < ordersPerBatch; i++) {
                batch.add(new Order(REGIONS[random.nextInt(REGIONS.length)], SKUS[random.nextInt(SKUS.length)],
                        1 + random.nextInt(10)));
            }
            all.add(batch);
        }
        return all;
    }

    /** Wires the stages together and returns the future of the whole pipeline. */
    public static CompletableFuture<Result> run(Brokest brokest, List<List<Order>> batches, long seed) {
        return brokest.queue(PipelineSample::priceList, seed)                       // stage one
                .thenCompose(prices -> fanOut(brokest, batches, prices))               // starts when it is done
                .thenCompose(revenue -> brokest.queue(PipelineSample::rank, revenue)   // and so does the last
                        .thenApply(ranking -> new Result(revenue, ranking)));
    }

    /** Fan-out: one task per batch; fan-in: when all are done, add them up. */
    private static CompletableFuture<Map<String, Long>> fanOut(Brokest brokest, List<List<Order>> batches,
                                                               Map<String, Long> prices) {
        List<CompletableFuture<Map<String, Long>>> parts = new ArrayList<>();
        for (List<Order> batch : batches) {
            parts.add(brokest.queue(PipelineSample::priceBatch, batch, prices));
        }
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).thenApply(done -> {
            Map<String, Long> total = new TreeMap<>();
            for (CompletableFuture<Map<String, Long>> part : parts) {
                part.join().forEach((region, cents) -> total.merge(region, cents, Long::sum));
            }
            return total;
        });
    }

    /** Runs the pipeline and prints what each stage produced. */
    public static void print(Brokest brokest) throws Exception {
        List<List<Order>> batches = orders(16, 5_000, 7);
        long start = System.nanoTime();
        Result result = run(brokest, batches, 2024).get(60, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("stage 1  price list            " + priceList(2024));
        System.out.println("stage 2  " + batches.size() + " batches of " + batches.get(0).size()
                + " orders priced in parallel, then added up:");
        result.revenueByRegion().forEach((region, cents) ->
                System.out.printf("           %-6s %,14.2f%n", region, cents / 100.0));
        System.out.println("stage 3  ranking               " + result.ranking());
        System.out.println("pipeline took " + millis + " ms");
    }
}
