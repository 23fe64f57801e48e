package io.syncline.core.config;

/** A {@link Secret} could not be read: its environment variable is unset or its file unreadable. */
public final class SecretUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SecretUnavailableException(String message) {
        super(message);
    }
}
