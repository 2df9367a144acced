package io.brokest.internal.worker;

/** Where a client's class loader gets bytes it does not have: in practice, the client itself. */
interface ClassSource {
    /**
     * The bytes of a class file ({@code a/b/C.class}) or resource, or null when the client has none.
     *
     * @throws ClassFetchException when the client could not be asked or did not answer in time
     */
    byte[] fetch(byte kind, String name) throws ClassFetchException;

    /** A short description of the client, for error messages. */
    String describe();
}
