package io.brokest;

/**
 * No worker would let this client in, or none could prove it is the worker whose public key this
 * client pinned (see {@link Brokest.Builder#workerPublicKey(java.nio.file.Path)}). Unless the message
 * says the task was sent before (to a worker that then revoked this client's key), it was not sent to
 * any worker, so it did not run. The message names each worker and what to fix.
 */
public class AuthenticationException extends BrokestException {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
        super(message);
    }
}
