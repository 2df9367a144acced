package io.brokest.samples;

import io.brokest.Brokest;
import io.brokest.Task;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The README's first command: a lambda, a method reference, a two-argument function, a task object
 * and a task that throws, run on a worker daemon that has none of these classes.
 */
public final class DemoSample {
    /** A task object: a class implementing Task, with its own state. */
    record WordCount(String text) implements Task<Integer> {
        @Override
        public Integer call() {
            return text.split("\\s+").length;
        }
    }

    static int square(int x) {
        return x * x;
    }

    public static void run(Brokest brokest) throws Exception {
        int x = 5;
        List<Integer> xs = List.of(1, 2, 3);
        System.out.println("lambda           () -> x * xs.size()          = "
                + brokest.submit(() -> x * xs.size()).get(30, TimeUnit.SECONDS));
        System.out.println("method reference DemoSample::square, 7       = "
                + brokest.queue(DemoSample::square, 7).get(30, TimeUnit.SECONDS));
        System.out.println("two arguments    (s, n) -> s.repeat(n), ab, 3 = "
                + brokest.queue((String s, Integer n) -> s.repeat(n), "ab", 3).get(30, TimeUnit.SECONDS));
        System.out.println("task object      new WordCount(...)          = "
                + brokest.submit(new WordCount("the quick brown fox")).get(30, TimeUnit.SECONDS));
        System.out.println("where it ran     pid of the worker           = "
                + brokest.submit(() -> ProcessHandle.current().pid()).get(30, TimeUnit.SECONDS)
                + " (this client is pid " + ProcessHandle.current().pid() + ")");
        try {
            brokest.submit(() -> {
                throw new IllegalStateException("inventory for sku-42 is negative");
            }).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            System.out.println("task that throws                             -> " + e.getCause()
                    + "\n                 thrown at " + e.getCause().getStackTrace()[0]);
        }
    }
}
