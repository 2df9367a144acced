package io.brokest.internal.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.brokest.internal.wire.MalformedMessageException;

/**
 * Exceptions captured by a task or returned as a value: Kryo's field serializer cannot reach
 * {@code Throwable}'s fields on JDK 17, so they travel as {@link ThrowableCodec} data.
 */
final class ThrowableSerializer extends Serializer<Throwable> {
    @Override
    public void write(Kryo kryo, Output output, Throwable t) {
        byte[] bytes = ThrowableCodec.encode(t);
        output.writeVarInt(bytes.length, true);
        output.writeBytes(bytes);
    }

    @Override
    public Throwable read(Kryo kryo, Input input, Class<? extends Throwable> type) {
        byte[] bytes = input.readBytes(input.readVarInt(true));
        try {
            return ThrowableCodec.decode(bytes, kryo.getClassLoader());
        } catch (MalformedMessageException e) {
            throw new KryoException("corrupt exception data: " + e.getMessage());
        }
    }
}
