package io.brokest;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A unit of work that runs on a worker daemon and returns a value.
 *
 * <p>Write it as a lambda ({@code () -> 6 * 7}), a method reference, or a class implementing this
 * interface. Everything it captures travels with it, serialized by Kryo; captured objects need not
 * implement {@link Serializable}, but they must be plain data (no threads, sockets, streams or
 * Brokest clients). The worker loads the task's classes from the client that sent it.
 *
 * @param <T> the type of the result
 */
@FunctionalInterface
public interface Task<T> extends Callable<T>, Serializable {
}
