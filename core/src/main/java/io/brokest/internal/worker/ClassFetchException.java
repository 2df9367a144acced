package io.brokest.internal.worker;

/** A class or resource could not be fetched from the client (gone, too slow, or over a limit). */
final class ClassFetchException extends Exception {
    private static final long serialVersionUID = 1L;

    ClassFetchException(String message) {
        super(message);
    }
}
