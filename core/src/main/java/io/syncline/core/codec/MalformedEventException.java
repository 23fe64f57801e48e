package io.syncline.core.codec;

/** An event body or header that cannot be decoded: wrong format version, truncated or corrupt bytes. */
public class MalformedEventException extends RuntimeException {

    public MalformedEventException(String message) {
        super(message);
    }

    public MalformedEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
