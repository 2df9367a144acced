package io.brokest.internal.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.brokest.Task;
import java.io.File;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The values users capture and return every day must survive a round trip on JDK 17. */
class KryoCodecTest {
    private final KryoCodec codec = new KryoCodec(getClass().getClassLoader(), 1 << 20);

    enum Size { S, M }

    record Item(String name, int qty) {
    }

    @Test
    void commonJdkTypesRoundTrip() throws Exception {
        List<Object> values = List.of(
                Path.of("/tmp/a b/c.txt"), new File("/tmp/x"), URI.create("http://h/p?q=1"),
                new URL("http://example.com/x"), UUID.randomUUID(), new BigDecimal("12.345"),
                new BigInteger("123456789012345678901234567890"), LocalDate.of(2026, 12, 1), Instant.ofEpochSecond(5),
                Duration.ofMillis(1500), Optional.of("x"), Optional.empty(), Pattern.compile("a+b"), Locale.FRANCE,
                new ArrayList<>(List.of(1, 2)), new LinkedList<>(List.of(1)), new TreeMap<>(Map.of("k", 1)),
                new TreeSet<>(Set.of("a", "b")), new HashMap<>(Map.of("a", 1)), new LinkedHashMap<>(Map.of("b", 2)),
                new ConcurrentHashMap<>(Map.of("c", 3)), new CopyOnWriteArrayList<>(List.of(4)),
                List.of(1, 2, 3), List.of(), Set.of("s"), Map.of("m", 1), Map.of(),
                Arrays.asList(1, 2), Collections.unmodifiableList(new ArrayList<>(List.of(5))),
                Collections.unmodifiableMap(new HashMap<>(Map.of("u", 1))), Collections.emptyList(),
                Collections.singletonList(7), EnumSet.of(Size.M), new EnumMap<>(Map.of(Size.S, 1)),
                new ArrayDeque<>(List.of(1, 2)), bitSet(), new StringBuilder("sb"), new Item("pen", 2),
                new int[] {1, 2}, new String[] {"a"}, 'c', 1.5f, (byte) 3, (short) 4, 5L);
        for (Object value : values) {
            Object copy = codec.deserialize(codec.serialize(value));
            if (value instanceof StringBuilder sb) {
                assertThat(copy.toString()).as(value.getClass().getName()).isEqualTo(sb.toString());
            } else if (value.getClass().isArray()) {
                assertThat(copy).as(value.getClass().getName()).isEqualTo(value);
            } else if (value instanceof Pattern p) {
                assertThat(((Pattern) copy).pattern()).isEqualTo(p.pattern());
            } else if (value instanceof ArrayDeque<?> d) {
                assertThat(new ArrayList<>((ArrayDeque<?>) copy)).isEqualTo(new ArrayList<>(d));
            } else {
                assertThat(copy).as(value.getClass().getName()).isEqualTo(value);
            }
        }
    }

    @Test
    void atomicsAndPriorityQueuesRoundTrip() {
        AtomicInteger ai = (AtomicInteger) codec.deserialize(codec.serialize(new AtomicInteger(7)));
        assertThat(ai.get()).isEqualTo(7);
        AtomicLong al = (AtomicLong) codec.deserialize(codec.serialize(new AtomicLong(8)));
        assertThat(al.get()).isEqualTo(8);
        AtomicBoolean ab = (AtomicBoolean) codec.deserialize(codec.serialize(new AtomicBoolean(true)));
        assertThat(ab.get()).isTrue();
        @SuppressWarnings("unchecked")
        AtomicReference<String> ar = (AtomicReference<String>) codec.deserialize(codec.serialize(new AtomicReference<>("r")));
        assertThat(ar.get()).isEqualTo("r");
        PriorityQueue<Integer> pq = new PriorityQueue<>(List.of(3, 1, 2));
        @SuppressWarnings("unchecked")
        PriorityQueue<Integer> copy = (PriorityQueue<Integer>) codec.deserialize(codec.serialize(pq));
        assertThat(copy.poll()).isEqualTo(1);
    }

    @Test
    void lambdasCapturingPathsAndNestedSerializableLambdasRoundTrip() throws Exception {
        Path p = Path.of("/data/in.csv");
        io.brokest.RemoteFunction<String, Integer> inner = String::length;
        Task<String> task = () -> p.getFileName() + ":" + inner.apply("four");
        @SuppressWarnings("unchecked")
        Task<String> copy = (Task<String>) codec.deserialize(codec.serialize(task));
        assertThat(copy.call()).isEqualTo("in.csv:4");
    }

    static Integer answer() {
        return 42;
    }

    static Task<Integer> capturing(int n) {
        return () -> n * 2;
    }

    @Test
    void aLambdaThatCapturesNothingIsWrittenOncePerClassAndStillRoundTrips() throws Exception {
        Task<Integer> methodRef = KryoCodecTest::answer;
        Task<Integer> noCaptures = () -> 7;
        byte[] first = codec.serialize(methodRef);
        assertThat(codec.serialize(methodRef)).isSameAs(first);
        assertThat(codec.serialize(noCaptures)).isSameAs(codec.serialize(noCaptures)).isNotEqualTo(first);
        assertThat(((Task<?>) codec.deserialize(codec.serialize(methodRef))).call()).isEqualTo(42);
        assertThat(((Task<?>) codec.deserialize(codec.serialize(noCaptures))).call()).isEqualTo(7);
        assertThat(KryoCodec.capturesNothing(methodRef.getClass())).isTrue();
    }

    @Test
    void aLambdaThatCapturesNothingIsReadOncePerFormAndThenReused() throws Exception {
        KryoCodec reader = new KryoCodec(getClass().getClassLoader(), 1 << 20);
        Task<Integer> methodRef = KryoCodecTest::answer;
        byte[] form = codec.serialize(methodRef);
        Object first = reader.deserialize(form);
        assertThat(reader.deserialize(form.clone())).isSameAs(first);
        assertThat(((Task<?>) first).call()).isEqualTo(42);

        // the codec keeps its own copy of a form: the caller's array may be reused
        Task<Integer> noCaptures = () -> 7;
        byte[] reused = codec.serialize(noCaptures).clone();
        Object seven = reader.deserialize(reused);
        Arrays.fill(reused, (byte) 0);
        assertThat(reader.deserialize(codec.serialize(noCaptures))).isSameAs(seven);
        assertThat(((Task<?>) seven).call()).isEqualTo(7);

        // lambdas that capture values, and other values, are read anew every time
        byte[] two = codec.serialize(capturing(1));
        assertThat(reader.deserialize(two)).isNotSameAs(reader.deserialize(two));
        assertThat(((Task<?>) reader.deserialize(two)).call()).isEqualTo(2);
        byte[] list = codec.serialize(new ArrayList<>(List.of("a")));
        assertThat(reader.deserialize(list)).isNotSameAs(reader.deserialize(list)).isEqualTo(List.of("a"));
        assertThat(reader.constantFormsRead()).isEqualTo(2);
    }

    @Test
    void aPeerSendingEndlessVariantsOfAFormFillsOnlyABoundedCache() throws Exception {
        KryoCodec reader = new KryoCodec(getClass().getClassLoader(), 1 << 20);
        byte[] form = codec.serialize((Task<Integer>) KryoCodecTest::answer);
        for (int i = 0; i < KryoCodec.MAX_CONSTANT_FORMS_READ + 50; i++) {
            // Kryo ignores bytes after the object, so each variant is a new key for the same lambda
            byte[] variant = Arrays.copyOf(form, form.length + 2);
            variant[form.length] = (byte) i;
            variant[form.length + 1] = (byte) (i >> 8);
            assertThat(((Task<?>) reader.deserialize(variant)).call()).isEqualTo(42);
        }
        assertThat(reader.constantFormsRead()).isEqualTo(KryoCodec.MAX_CONSTANT_FORMS_READ);
    }

    @Test
    void lambdasOfOneClassWithDifferentCapturesKeepTheirOwnValues() throws Exception {
        Task<Integer> two = capturing(1);
        Task<Integer> six = capturing(3);
        assertThat(two.getClass()).isSameAs(six.getClass());
        assertThat(KryoCodec.capturesNothing(two.getClass())).isFalse();
        assertThat(((Task<?>) codec.deserialize(codec.serialize(two))).call()).isEqualTo(2);
        assertThat(((Task<?>) codec.deserialize(codec.serialize(six))).call()).isEqualTo(6);
        // stateless objects that are not lambdas are written each time: their class may write anything
        assertThat(KryoCodec.capturesNothing(Item.class)).isFalse();
        assertThat(codec.serialize(new ArrayList<>())).isNotSameAs(codec.serialize(new ArrayList<>()));
    }

    @Test
    void cyclicGraphsRoundTrip() {
        List<Object> self = new ArrayList<>();
        self.add(self);
        @SuppressWarnings("unchecked")
        List<Object> copy = (List<Object>) codec.deserialize(codec.serialize(self));
        assertThat(copy.get(0)).isSameAs(copy);
    }

    @Test
    void describeNamesTheFieldPath() {
        class Holder {
            final Object stream = System.in;
        }
        Holder h = new Holder();
        assertThatThrownBy(() -> codec.serialize(h)).satisfies(e ->
                assertThat(KryoCodec.describe("task X", e)).contains("task X cannot be serialized")
                        .contains("InputStream").contains("stream"));
    }

    @Test
    void viewsOfListsAndMapsAndTheirEntriesTravelAsCopies() {
        List<Integer> numbers = new ArrayList<>(List.of(5, 3, 8, 1));
        Map<String, Integer> counts = new HashMap<>(Map.of("a", 1, "b", 2));
        TreeMap<String, Integer> sorted = new TreeMap<>(Comparator.reverseOrder());
        sorted.putAll(counts);
        ConcurrentHashMap<String, Integer> concurrent = new ConcurrentHashMap<>(counts);
        Map<Object, Object> expected = new LinkedHashMap<>();
        expected.put(numbers.subList(1, 3), List.of(3, 8));
        expected.put(new LinkedList<>(numbers).subList(0, 2), List.of(5, 3));
        expected.put(Arrays.asList(1, 2, 3).subList(1, 3), List.of(2, 3));
        expected.put(List.of(1, 2, 3).subList(0, 2), List.of(1, 2));
        expected.put(counts.keySet(), Set.of("a", "b"));
        expected.put(counts.entrySet(), Set.of(Map.entry("a", 1), Map.entry("b", 2)));
        expected.put(new LinkedHashMap<>(counts).keySet(), new LinkedHashMap<>(counts).keySet().stream().toList());
        expected.put(sorted.keySet(), List.of("b", "a")); // its order, from its comparator, kept
        expected.put(sorted.headMap("a"), Map.of("b", 2));
        expected.put(sorted.descendingMap(), Map.of("a", 1, "b", 2));
        expected.put(concurrent.keySet(), Set.of("a", "b"));
        expected.put(Collections.max(counts.entrySet(), Map.Entry.comparingByValue()), Map.entry("b", 2));
        expected.put(sorted.firstEntry(), Map.entry("b", 2));
        expected.put(Map.entry("k", 9), Map.entry("k", 9));
        for (Map.Entry<Object, Object> view : expected.entrySet()) {
            Object copy = codec.deserialize(codec.serialize(view.getKey()));
            String what = view.getKey().getClass().getName();
            if (view.getValue() instanceof List<?> inOrder && !(view.getKey() instanceof List<?>)) {
                assertThat(new ArrayList<>((Collection<?>) copy)).as(what).isEqualTo(inOrder);
            } else {
                assertThat(copy).as(what).isEqualTo(view.getValue());
            }
        }
        Object values = codec.deserialize(codec.serialize(counts.values()));
        assertThat(new ArrayList<Object>((Collection<?>) values)).containsExactlyInAnyOrder(1, 2);
        Object keys = codec.deserialize(codec.serialize(concurrent.keySet()));
        assertThat(keys.getClass()).isEqualTo(ConcurrentHashMap.newKeySet().getClass()); // still a concurrent set
    }

    @Test
    void aStreamOrAnIteratorIsRefusedAsJdkStateSayingToCollectIt() {
        for (Object state : List.of(Stream.of(1, 2), List.of(1, 2).iterator())) {
            assertThatThrownBy(() -> codec.serialize(state)).satisfies(e ->
                    assertThat(KryoCodec.describe("the result", e))
                            .startsWith("the result cannot be serialized: it is JDK-internal state, not data (Unable to"
                                    + " make field ")
                            .contains("collect a stream or an iterator into a List")
                            .doesNotContain("does not \"opens"));
        }
    }

    @Test
    void aDynamicProxyIsRefusedSayingItsClassLivesInOneJvm() {
        Runnable proxy = (Runnable) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Runnable.class}, (p, method, args) -> null);
        // before, it was written, and the other side failed with "Unable to find class: jdk.proxy3.$Proxy5"
        assertThatThrownBy(() -> codec.serialize(proxy)).satisfies(e ->
                assertThat(KryoCodec.describe("the result", e))
                        .contains("cannot be sent to a worker: a dynamic proxy's class exists only in the JVM"));
        // a handler itself is plain data like any other
        Object handler = codec.deserialize(codec.serialize(new NamedHandler("h")));
        assertThat(handler).isEqualTo(new NamedHandler("h"));
    }

    record NamedHandler(String name) implements java.lang.reflect.InvocationHandler {
        @Override
        public Object invoke(Object proxy, java.lang.reflect.Method method, Object[] args) {
            return name;
        }
    }

    /** A linked chain, which Kryo writes with one nested call per link. */
    static final class Link {
        Link next;
    }

    @Test
    void dataNestedTooDeepIsDescribedInOneShortSentenceSayingWhatToDo() {
        Link head = new Link();
        Link last = head;
        for (int i = 0; i < 200_000; i++) {
            last.next = new Link();
            last = last.next;
        }
        Link chain = head;
        assertThatThrownBy(() -> codec.serialize(chain)).satisfies(e -> {
            String text = KryoCodec.describe("the result (Link)", e);
            assertThat(text).startsWith("the result (Link) cannot be serialized: it is nested too deep (over ")
                    .contains("Send a long chain of linked objects as an array or a collection")
                    .contains("-Xss")
                    .doesNotContain("setReferences") // Kryo's hint; Brokest has references on already
                    .containsPattern("; at next \\(.*Link\\) -> next .* -> next .* -> \\.\\.\\. [0-9,]+ more -> next");
            assertThat(text.length()).isLessThan(1_000); // it was 32,055 characters, one field per level
        });
    }

    private static BitSet bitSet() {
        BitSet b = new BitSet();
        b.set(3);
        return b;
    }
}
