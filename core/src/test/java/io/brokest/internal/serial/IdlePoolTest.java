package io.brokest.internal.serial;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IdlePoolTest {

    @Test
    void createsOnlyWhenNoneIsIdleAndLendsTheNewestFirst() {
        AtomicInteger created = new AtomicInteger();
        IdlePool<Object> pool = new IdlePool<>(4, () -> {
            created.incrementAndGet();
            return new Object();
        });

        Object first = pool.obtain();
        Object second = pool.obtain();
        assertThat(created).hasValue(2);

        pool.free(first);
        pool.free(second);
        assertThat(pool.obtain()).isSameAs(second);
        assertThat(pool.obtain()).isSameAs(first);
        assertThat(pool.obtain()).isNotIn(first, second);
        assertThat(created).hasValue(3);
    }

    @Test
    void keepsNoMoreIdleThanItsCapacity() {
        IdlePool<Object> pool = new IdlePool<>(2, Object::new);
        List<Object> lent = List.of(pool.obtain(), pool.obtain(), pool.obtain());

        lent.forEach(pool::free);

        assertThat(pool.idleCount()).isEqualTo(2);
        assertThat(List.of(pool.obtain(), pool.obtain())).containsExactlyInAnyOrder(lent.get(0), lent.get(1));
    }

    /** Each object is lent to one thread at a time, however many borrow and give back at once. */
    @Test
    void neverLendsOneObjectToTwoThreads() throws Exception {
        int threads = 8;
        IdlePool<AtomicBoolean> pool = new IdlePool<>(3, AtomicBoolean::new);
        AtomicInteger doubleLoans = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(executor.submit(() -> {
                    go.await();
                    for (int i = 0; i < 50_000; i++) {
                        AtomicBoolean inUse = pool.obtain();
                        if (!inUse.compareAndSet(false, true)) {
                            doubleLoans.incrementAndGet();
                        }
                        if (i % 64 == 0) {
                            Thread.yield(); // let another thread in while this one holds it
                        }
                        inUse.set(false);
                        pool.free(inUse);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(1, TimeUnit.MINUTES);
            }
        } finally {
            executor.shutdownNow();
        }
        assertThat(doubleLoans).hasValue(0);
        assertThat(pool.idleCount()).isBetween(1, 3);
    }
}
