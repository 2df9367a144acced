package io.brokest.internal.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Serializes lambdas and method references through their {@link SerializedLambda} form.
 *
 * <p>Kryo's own {@code ClosureSerializer} resolves the capturing class with {@code Class.forName} from
 * Kryo's class loader and rebuilds the lambda through {@code SerializedLambda.readResolve}, which on
 * JDK 17 needs {@code --add-opens}. Neither works for classes that live in a per-client class loader,
 * so this one resolves the capturing class through the lambda's own loader when writing, through the
 * Kryo instance's loader when reading, and calls the capturing class's {@code $deserializeLambda$}
 * directly (user classes are in unnamed modules, so no module flags are needed). The reflective
 * lookups are cached per class, since they dominate the cost of reading a small lambda.
 */
final class LambdaSerializer extends Serializer<Object> {
    private static final ClassValue<Method> WRITE_REPLACE = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            try {
                Method m = type.getDeclaredMethod("writeReplace");
                m.setAccessible(true);
                return m;
            } catch (NoSuchMethodException e) {
                return null;
            }
        }
    };

    private static final ClassValue<Method> DESERIALIZE_LAMBDA = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            try {
                Method m = type.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
                m.setAccessible(true);
                return m;
            } catch (NoSuchMethodException e) {
                return null;
            }
        }
    };

    @Override
    public void write(Kryo kryo, Output output, Object lambda) {
        SerializedLambda form = toSerializedLambda(lambda);
        int count = form.getCapturedArgCount();
        output.writeVarInt(count, true);
        for (int i = 0; i < count; i++) {
            kryo.writeClassAndObject(output, form.getCapturedArg(i));
        }
        Class<?> capturing;
        try {
            capturing = Class.forName(form.getCapturingClass().replace('/', '.'), false,
                    lambda.getClass().getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new KryoException("cannot find the class that defines lambda " + lambda.getClass().getName(), e);
        }
        kryo.writeClass(output, capturing);
        output.writeString(form.getFunctionalInterfaceClass());
        output.writeString(form.getFunctionalInterfaceMethodName());
        output.writeString(form.getFunctionalInterfaceMethodSignature());
        output.writeVarInt(form.getImplMethodKind(), true);
        output.writeString(form.getImplClass());
        output.writeString(form.getImplMethodName());
        output.writeString(form.getImplMethodSignature());
        output.writeString(form.getInstantiatedMethodType());
    }

    @Override
    public Object read(Kryo kryo, Input input, Class<?> type) {
        int count = input.readVarInt(true);
        Object[] captured = new Object[count];
        for (int i = 0; i < count; i++) {
            captured[i] = kryo.readClassAndObject(input);
        }
        Class<?> capturing = kryo.readClass(input).getType();
        SerializedLambda form = new SerializedLambda(capturing, input.readString(), input.readString(),
                input.readString(), input.readVarInt(true), input.readString(), input.readString(),
                input.readString(), input.readString(), captured);
        Method factory = DESERIALIZE_LAMBDA.get(capturing);
        if (factory == null) {
            throw new KryoException("class " + capturing.getName() + " defines no serializable lambdas");
        }
        try {
            return factory.invoke(null, form);
        } catch (InvocationTargetException e) {
            throw new KryoException("cannot rebuild lambda " + form.getImplClass() + "." + form.getImplMethodName()
                    + ": " + e.getCause(), e.getCause());
        } catch (IllegalAccessException e) {
            throw new KryoException("cannot rebuild lambda of " + capturing.getName(), e);
        }
    }

    private static SerializedLambda toSerializedLambda(Object lambda) {
        Method writeReplace = WRITE_REPLACE.get(lambda.getClass());
        if (writeReplace == null) {
            throw new KryoException(NotSerializableLambda.message(lambda));
        }
        try {
            return (SerializedLambda) writeReplace.invoke(lambda);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new KryoException("cannot serialize lambda " + lambda.getClass().getName() + ": " + e, e);
        }
    }

    /** Builds the message for a lambda whose target type is not Serializable. */
    static final class NotSerializableLambda {
        private NotSerializableLambda() {
        }

        static String message(Object lambda) {
            StringBuilder types = new StringBuilder();
            for (Class<?> i : lambda.getClass().getInterfaces()) {
                types.append(types.length() == 0 ? "" : ", ").append(i.getName());
            }
            return "a lambda of type " + types + " is not serializable: its target interface does not extend "
                    + "java.io.Serializable. Declare it as an io.brokest.Task, RemoteFunction or RemoteBiFunction "
                    + "(or an interface extending Serializable), or capture the value it computes instead";
        }
    }
}
