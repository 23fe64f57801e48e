package io.syncline.connector;

/** A source transaction too big for one outbox record. Permanent: retrying cannot help. */
public final class TransactionTooLargeException extends RuntimeException {

    public TransactionTooLargeException(String message) {
        super(message);
    }
}
