package io.brokest;

import java.io.Serializable;

/**
 * A one-argument function that can be sent to a worker with {@link Brokest#queue(RemoteFunction, Object)}.
 * Method references such as {@code MyMath::square} fit it.
 *
 * @param <A> the argument type
 * @param <R> the result type
 */
@FunctionalInterface
public interface RemoteFunction<A, R> extends Serializable {
    /** Applies the function to its argument, on the worker. */
    R apply(A argument) throws Exception;
}
