package io.syncline.apply;

/**
 * A permanent apply failure: retrying the same batch will fail the same way (schema mismatch,
 * data the target rejects, a constraint the change violates, authentication). The target
 * transaction was rolled back, so nothing of the failing batch past the last committed target
 * transaction is applied and its origin positions did not advance. Stop the link and fix the
 * cause; the message says where and what.
 */
public class ApplyException extends Exception {

    private final String originNode;
    private final long originPosition;
    private final String table;

    public ApplyException(String message, String originNode, long originPosition, String table, Throwable cause) {
        super(message, cause);
        this.originNode = originNode;
        this.originPosition = originPosition;
        this.table = table;
    }

    /** The origin of the source transaction being applied, or {@code null} if the failure was not in one. */
    public String originNode() {
        return originNode;
    }

    /** Its origin position, or -1. */
    public long originPosition() {
        return originPosition;
    }

    /** The table being written, or {@code null}. */
    public String table() {
        return table;
    }
}
