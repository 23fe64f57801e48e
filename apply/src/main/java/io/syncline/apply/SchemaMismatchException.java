package io.syncline.apply;

/**
 * A change of the batch does not fit this node's table (a column missing here): nothing of the
 * failing target transaction was applied. Unlike other permanent failures it cures itself once
 * the local schema matches, so the link may apply the same batch again later; the applier reads
 * the local catalog afresh on every attempt.
 */
public class SchemaMismatchException extends ApplyException {

    private final String column;
    private final String sourceType;
    private final String localType;

    public SchemaMismatchException(String message, String originNode, long originPosition, String table, String column,
            String sourceType, String localType, Throwable cause) {
        super(message, originNode, originPosition, table, cause);
        this.column = column;
        this.sourceType = sourceType;
        this.localType = localType;
    }

    /** The column that does not fit. */
    public String column() {
        return column;
    }

    /** Its type at the origin, or {@code null} when the event does not carry it. */
    public String sourceType() {
        return sourceType;
    }

    /** Its type here, or {@code null} when the column is missing here. */
    public String localType() {
        return localType;
    }
}
