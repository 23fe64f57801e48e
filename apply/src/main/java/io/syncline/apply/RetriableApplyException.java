package io.syncline.apply;

/**
 * A transient apply failure (connection lost, serialization failure, deadlock, lock timeout,
 * the replication origin still held by a closing session). The target transaction was rolled
 * back; call {@link TransactionApplier#apply} again with the same batch after a back-off.
 * Transactions committed before the failure are recognised as duplicates.
 */
public class RetriableApplyException extends Exception {

    public RetriableApplyException(String message, Throwable cause) {
        super(message, cause);
    }
}
