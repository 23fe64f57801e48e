package io.syncline.apply.internal;

/** What a row of {@code syncline.dead_letter} holds (its {@code kind} column). */
public enum DeadLetterKind {
    /** One row change whose conflict resolution failed; the rest of its source transaction was applied. */
    CHANGE("change"),
    /** A whole source transaction the database refused ({@code on-error: park}); none of it was applied. */
    TRANSACTION("transaction");

    private final String sqlName;

    DeadLetterKind(String sqlName) {
        this.sqlName = sqlName;
    }

    /** The value in the {@code kind} column. */
    public String sqlName() {
        return sqlName;
    }
}
