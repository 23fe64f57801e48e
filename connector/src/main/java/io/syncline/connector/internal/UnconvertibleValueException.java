package io.syncline.connector.internal;

/** A change event the capture cannot turn into an exact row change; publishing it would corrupt data. */
public final class UnconvertibleValueException extends RuntimeException {

    public UnconvertibleValueException(String message) {
        super(message);
    }

    public UnconvertibleValueException(String message, Throwable cause) {
        super(message, cause);
    }
}
