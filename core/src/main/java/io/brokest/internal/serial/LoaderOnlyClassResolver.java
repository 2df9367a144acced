package io.brokest.internal.serial;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import com.esotericsoftware.kryo.util.ObjectMap;

/**
 * Kryo's class resolver without its fallback: when the codec's loader cannot find a class by name,
 * Kryo retries with the loader that loaded Kryo itself. On a worker that is the worker's own classpath
 * (or, in a test JVM, the test's), so a class the client could not ship would be taken from there,
 * breaking the per-client isolation. Here the codec's loader is the only answer.
 */
final class LoaderOnlyClassResolver extends DefaultClassResolver {
    @Override
    @SuppressWarnings("rawtypes")
    protected Class getTypeByName(String className) {
        Class<?> known = super.getTypeByName(className);
        if (known != null) {
            return known;
        }
        Class<?> type;
        try {
            type = Class.forName(className, false, kryo.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new KryoException("Unable to find class: " + className, e); // Kryo's own wording
        }
        if (nameToClass == null) {
            nameToClass = new ObjectMap<>();
        }
        nameToClass.put(className, type);
        return type;
    }
}
