package io.brokest.internal.task;

import io.brokest.RemoteFunction;
import io.brokest.Task;

/** A one-argument function and its argument, sent as one task. Shared by client and worker. */
public final class FunctionCall<A, R> implements Task<R> {
    private static final long serialVersionUID = 1L;

    private final RemoteFunction<A, R> function;
    private final A argument;

    public FunctionCall(RemoteFunction<A, R> function, A argument) {
        this.function = function;
        this.argument = argument;
    }

    @Override
    public R call() throws Exception {
        return function.apply(argument);
    }

    @Override
    public String toString() {
        return "function " + function.getClass().getName();
    }
}
