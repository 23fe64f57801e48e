package io.syncline.apply.internal;

import io.syncline.core.event.RowChange;
import io.syncline.core.event.SourceTransaction;
import java.sql.SQLException;

/**
 * A database failure with the source transaction and change it happened in, attached where it
 * happened. It keeps the failure's message and SQLSTATE, so that it is classified as the failure
 * itself ({@link ApplyErrorClassifier}); {@link #getCause()} is the failure.
 */
public final class ChangeFailure extends SQLException {

    private final transient SourceTransaction transaction;
    private final transient RowChange change;

    private ChangeFailure(SQLException failure, SourceTransaction transaction, RowChange change) {
        super(failure.getMessage(), failure.getSQLState(), failure.getErrorCode(), failure);
        this.transaction = transaction;
        this.change = change;
    }

    /** {@code failure} located at {@code change} of {@code transaction}; one located already keeps its place. */
    public static SQLException at(SQLException failure, SourceTransaction transaction, RowChange change) {
        return failure instanceof ChangeFailure ? failure : new ChangeFailure(failure, transaction, change);
    }

    /** The located failure of {@code error}, or null when it names no change. */
    public static ChangeFailure of(Throwable error) {
        return error instanceof ChangeFailure located ? located : null;
    }

    /** The failure without its location. */
    public static Throwable unwrap(Throwable error) {
        return error instanceof ChangeFailure located ? located.getCause() : error;
    }

    /** The source transaction the failure happened in. */
    public SourceTransaction transaction() {
        return transaction;
    }

    /** The change the failure happened in. */
    public RowChange change() {
        return change;
    }
}
