package io.brokest.internal.worker;

import io.brokest.BrokestException;
import io.brokest.RemoteBiFunction;
import io.brokest.RemoteFunction;
import io.brokest.RemoteTaskException;
import io.brokest.Task;
import io.brokest.TaskOptions;
import io.brokest.TaskSerializationException;
import io.brokest.WorkerLostException;
import io.brokest.internal.task.BiFunctionCall;
import io.brokest.internal.task.FunctionCall;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The exact classes a task may share with the worker itself, by name. Listed one by one rather than
 * by package prefix, so that user classes that happen to live in {@code io.brokest.*} (tests,
 * samples) are still shipped from the client like any other.
 */
final class SharedApi {
    static final Map<String, Class<?>> CLASSES = List.<Class<?>>of(
                    Task.class, RemoteFunction.class, RemoteBiFunction.class, TaskOptions.class,
                    BrokestException.class, TaskSerializationException.class, RemoteTaskException.class,
                    WorkerLostException.class, FunctionCall.class, BiFunctionCall.class)
            .stream().collect(Collectors.toUnmodifiableMap(Class::getName, Function.identity()));

    private SharedApi() {
    }
}
