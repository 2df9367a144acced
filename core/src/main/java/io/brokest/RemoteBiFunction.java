package io.brokest;

import java.io.Serializable;

/**
 * A two-argument function that can be sent to a worker with
 * {@link Brokest#queue(RemoteBiFunction, Object, Object)}.
 *
 * @param <A> the first argument type
 * @param <B> the second argument type
 * @param <R> the result type
 */
@FunctionalInterface
public interface RemoteBiFunction<A, B, R> extends Serializable {
    /** Applies the function to its arguments, on the worker. */
    R apply(A first, B second) throws Exception;
}
