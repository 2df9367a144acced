package io.brokest.internal.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.SerializerFactory;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.FieldSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import java.io.File;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Makes the JDK types users capture every day work on JDK 17, where Kryo's field serializer may not
 * reach into {@code java.base}. Paths and files travel as their string form; any other JDK class in
 * a package closed to us that is {@link Serializable} (atomics, priority queues, ...) falls back to
 * Java serialization, resolved through the codec's class loader. Everything else uses Kryo's field
 * serializer as usual.
 */
final class JdkSerializers {
    private JdkSerializers() {
    }

    static void register(Kryo kryo) {
        kryo.addDefaultSerializer(Path.class, new PathSerializer());
        kryo.addDefaultSerializer(File.class, new FileSerializer());
        registerWrappers(kryo);
        kryo.addDefaultSerializer(EnumMap.class, new EnumMapSerializer());
        kryo.setDefaultSerializer(new FallbackFactory());
    }

    /**
     * Arrays.asList and the Collections.unmodifiable and synchronized views: Kryo's collection
     * serializer would call add() on them. They travel as a plain copy and are wrapped again.
     */
    private static void registerWrappers(Kryo kryo) {
        List<Object> sample = new ArrayList<>(List.of(1));
        Set<Object> set = new HashSet<>();
        SortedSet<Object> sortedSet = new TreeSet<>();
        Map<Object, Object> map = new HashMap<>();
        SortedMap<Object, Object> sortedMap = new TreeMap<>();
        wrap(kryo, Arrays.asList(1, 2), c -> new ArrayList<>((List<?>) c), c -> Arrays.asList(((List<?>) c).toArray()));
        wrap(kryo, Collections.unmodifiableCollection(sample), c -> new ArrayList<>((Collection<?>) c),
                c -> Collections.unmodifiableCollection((Collection<?>) c));
        wrap(kryo, Collections.unmodifiableList(sample), c -> new ArrayList<>((List<?>) c),
                c -> Collections.unmodifiableList((List<?>) c));
        wrap(kryo, Collections.unmodifiableList(new LinkedList<>()), c -> new LinkedList<>((List<?>) c),
                c -> Collections.unmodifiableList((List<?>) c));
        wrap(kryo, Collections.unmodifiableSet(set), c -> new LinkedHashSet<>((Set<?>) c),
                c -> Collections.unmodifiableSet((Set<?>) c));
        wrap(kryo, Collections.unmodifiableSortedSet(sortedSet), c -> new TreeSet<>((SortedSet<?>) c),
                c -> Collections.unmodifiableSortedSet((SortedSet<?>) c));
        wrap(kryo, Collections.unmodifiableMap(map), c -> new LinkedHashMap<>((Map<?, ?>) c),
                c -> Collections.unmodifiableMap((Map<?, ?>) c));
        wrap(kryo, Collections.unmodifiableSortedMap(sortedMap), c -> new TreeMap<>((SortedMap<?, ?>) c),
                c -> Collections.unmodifiableSortedMap((SortedMap<?, ?>) c));
        wrap(kryo, Collections.synchronizedList(sample), c -> new ArrayList<>((List<?>) c),
                c -> Collections.synchronizedList((List<?>) c));
        wrap(kryo, Collections.synchronizedSet(set), c -> new LinkedHashSet<>((Set<?>) c),
                c -> Collections.synchronizedSet((Set<?>) c));
        wrap(kryo, Collections.synchronizedMap(map), c -> new LinkedHashMap<>((Map<?, ?>) c),
                c -> Collections.synchronizedMap((Map<?, ?>) c));
    }

    /**
     * The views users return without noticing: {@code list.subList(...)}, a map's {@code keySet()},
     * {@code values()}, {@code entrySet()} and sub-maps, and the entries themselves ({@code
     * Collections.max(map.entrySet(), ...)}). A view cannot exist apart from what it views, and Kryo
     * could neither write them (closed fields) nor read them back (an empty shell whose add() fails),
     * so each travels as a copy: a list as an {@code ArrayList}, a set in its iteration order, a
     * sorted one as a {@code TreeSet} or {@code TreeMap} with its comparator, an entry as an
     * immutable entry, a concurrent map's key set as a concurrent set again.
     *
     * <p>Registered after every other class, so the ids of those stay as they were.
     */
    static void registerViews(Kryo kryo) {
        UnaryOperator<Object> asList = c -> new ArrayList<>((Collection<?>) c);
        UnaryOperator<Object> asSet = c -> new LinkedHashSet<>((Collection<?>) c);
        UnaryOperator<Object> asEntries = c -> {
            Set<Object> entries = new LinkedHashSet<>();
            for (Object e : (Collection<?>) c) {
                entries.add(new AbstractMap.SimpleImmutableEntry<>((Map.Entry<?, ?>) e));
            }
            return entries;
        };
        UnaryOperator<Object> asEntry = e -> new AbstractMap.SimpleImmutableEntry<>((Map.Entry<?, ?>) e);
        UnaryOperator<Object> same = UnaryOperator.identity();

        List<Integer> one = List.of(1);
        copy(kryo, new ArrayList<>(one).subList(0, 1), asList, same);
        copy(kryo, new LinkedList<>(one).subList(0, 1), asList, same); // AbstractList's SubList
        copy(kryo, Arrays.asList(1).subList(0, 1), asList, same); // AbstractList's RandomAccessSubList
        copy(kryo, List.of(1, 2, 3).subList(0, 1), asList, c -> List.copyOf((Collection<?>) c));

        Map<Integer, Integer> map = new HashMap<>(Map.of(1, 1));
        Map<Integer, Integer> linked = new LinkedHashMap<>(map);
        TreeMap<Integer, Integer> sorted = new TreeMap<>(map);
        ConcurrentHashMap<Integer, Integer> concurrent = new ConcurrentHashMap<>(map);
        for (Map<Integer, Integer> m : List.of(map, linked, sorted, concurrent)) {
            copy(kryo, m.values(), asList, same);
            copy(kryo, m.entrySet(), asEntries, same);
            copy(kryo, m.entrySet().iterator().next(), asEntry, same);
        }
        copy(kryo, map.keySet(), asSet, same);
        copy(kryo, linked.keySet(), asSet, same);
        copy(kryo, sorted.keySet(), c -> new TreeSet<>((SortedSet<?>) c), same);
        copy(kryo, sorted.headMap(2), c -> new TreeMap<>((SortedMap<?, ?>) c), same);
        copy(kryo, sorted.descendingMap(), c -> new TreeMap<>((SortedMap<?, ?>) c), same);
        copy(kryo, concurrent.keySet(), asList, c -> {
            Set<Object> set = ConcurrentHashMap.newKeySet();
            set.addAll((Collection<?>) c);
            return set;
        });
        copy(kryo, Map.entry(1, 1), asEntry, same);
    }

    /** Registers the example's class (if not yet): it travels as {@code toCopy} of it, read back through {@code fromCopy}. */
    private static void copy(Kryo kryo, Object example, UnaryOperator<Object> toCopy, UnaryOperator<Object> fromCopy) {
        if (kryo.getClassResolver().getRegistration(example.getClass()) == null) {
            wrap(kryo, example, toCopy, fromCopy);
        }
    }

    private static void wrap(Kryo kryo, Object example, UnaryOperator<Object> unwrap, UnaryOperator<Object> rewrap) {
        kryo.register(example.getClass(), new WrapperSerializer(unwrap, rewrap));
    }

    private static final class WrapperSerializer extends Serializer<Object> {
        private final UnaryOperator<Object> unwrap;
        private final UnaryOperator<Object> rewrap;

        WrapperSerializer(UnaryOperator<Object> unwrap, UnaryOperator<Object> rewrap) {
            this.unwrap = unwrap;
            this.rewrap = rewrap;
        }

        @Override
        public void write(Kryo kryo, Output output, Object view) {
            kryo.writeClassAndObject(output, unwrap.apply(view));
        }

        @Override
        public Object read(Kryo kryo, Input input, Class<?> type) {
            return rewrap.apply(kryo.readClassAndObject(input));
        }
    }

    /** Field serialization where it can work, Java serialization for closed JDK classes that allow it. */
    private static final class FallbackFactory extends SerializerFactory.BaseSerializerFactory<Serializer<?>> {
        @Override
        public Serializer<?> newSerializer(Kryo kryo, Class type) {
            if (isClosedToUs(type) && Serializable.class.isAssignableFrom(type)) {
                return new JavaSerializer();
            }
            return new FieldSerializer<>(kryo, type);
        }

        private static boolean isClosedToUs(Class<?> type) {
            Module module = type.getModule();
            return module.isNamed() && !module.isOpen(type.getPackageName(), JdkSerializers.class.getModule());
        }
    }

    /** EnumMap hides its key type in a closed field; we send it beside the entries. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final class EnumMapSerializer extends Serializer<EnumMap> {
        private final JavaSerializer empty = new JavaSerializer();

        @Override
        public void write(Kryo kryo, Output output, EnumMap map) {
            output.writeVarInt(map.size(), true);
            if (map.isEmpty()) {
                empty.write(kryo, output, map); // only Java serialization knows an empty map's key type
                return;
            }
            kryo.writeClass(output, ((Enum<?>) map.keySet().iterator().next()).getDeclaringClass());
            for (Object e : map.entrySet()) {
                Map.Entry entry = (Map.Entry) e;
                kryo.writeObject(output, entry.getKey());
                kryo.writeClassAndObject(output, entry.getValue());
            }
        }

        @Override
        public EnumMap read(Kryo kryo, Input input, Class<? extends EnumMap> type) {
            int size = input.readVarInt(true);
            if (size == 0) {
                return (EnumMap) empty.read(kryo, input, type);
            }
            Class keyType = kryo.readClass(input).getType();
            EnumMap map = new EnumMap(keyType);
            for (int i = 0; i < size; i++) {
                Object key = kryo.readObject(input, keyType);
                map.put(key, kryo.readClassAndObject(input));
            }
            return map;
        }
    }

    private static final class PathSerializer extends Serializer<Path> {
        @Override
        public void write(Kryo kryo, Output output, Path path) {
            output.writeString(path.toString());
        }

        @Override
        public Path read(Kryo kryo, Input input, Class<? extends Path> type) {
            return Path.of(input.readString());
        }
    }

    private static final class FileSerializer extends Serializer<File> {
        @Override
        public void write(Kryo kryo, Output output, File file) {
            output.writeString(file.getPath());
        }

        @Override
        public File read(Kryo kryo, Input input, Class<? extends File> type) {
            return new File(input.readString());
        }
    }
}
