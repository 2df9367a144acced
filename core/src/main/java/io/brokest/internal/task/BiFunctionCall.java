package io.brokest.internal.task;

import io.brokest.RemoteBiFunction;
import io.brokest.Task;

/** A two-argument function and its arguments, sent as one task. Shared by client and worker. */
public final class BiFunctionCall<A, B, R> implements Task<R> {
    private static final long serialVersionUID = 1L;

    private final RemoteBiFunction<A, B, R> function;
    private final A first;
    private final B second;

    public BiFunctionCall(RemoteBiFunction<A, B, R> function, A first, B second) {
        this.function = function;
        this.first = first;
        this.second = second;
    }

    @Override
    public R call() throws Exception {
        return function.apply(first, second);
    }

    @Override
    public String toString() {
        return "function " + function.getClass().getName();
    }
}
