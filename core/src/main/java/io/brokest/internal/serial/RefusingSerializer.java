package io.brokest.internal.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

/**
 * Refuses types that are bound to this JVM (threads, streams, sockets, class loaders, Brokest clients).
 * Kryo would otherwise walk their fields and either fail deep inside the JDK or, worse, send a
 * meaningless copy. The error names the type and says what to do; Kryo appends the field path.
 */
final class RefusingSerializer extends Serializer<Object> {
    private final String advice;

    RefusingSerializer(String advice) {
        this.advice = advice;
    }

    @Override
    public void write(Kryo kryo, Output output, Object object) {
        throw new KryoException("a " + object.getClass().getName() + " cannot be sent to a worker: " + advice);
    }

    @Override
    public Object read(Kryo kryo, Input input, Class<?> type) {
        throw new KryoException("a " + type.getName() + " cannot be received from another JVM: " + advice);
    }
}
