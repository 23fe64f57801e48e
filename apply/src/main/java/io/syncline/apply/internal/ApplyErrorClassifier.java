package io.syncline.apply.internal;

import io.syncline.core.error.FailureKind;
import io.syncline.core.error.SqlStates;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * Sorts the applier's database errors into retriable and permanent, by SQLSTATE with the
 * classification the capture uses too ({@link SqlStates}). Unknown errors are permanent:
 * stopping the link loses nothing, retrying forever hides the problem.
 */
public final class ApplyErrorClassifier {

    public enum Kind {
        /** Roll back and apply the same batch again after a back-off. */
        RETRIABLE,
        /** Retrying fails the same way: stop the link and report. */
        PERMANENT
    }

    public Kind classify(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException e = sql; e != null; e = e.getNextException()) {
                    Kind kind = classify(e.getSQLState());
                    if (kind != null) {
                        return kind;
                    }
                    if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
                        return Kind.RETRIABLE;
                    }
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return Kind.PERMANENT;
    }

    /**
     * Whether {@code error} is the database refusing the data of a change rather than failing to
     * apply it: a data exception (class 22: value too long, out of range, bad text representation)
     * or an integrity constraint violation (class 23: unique, foreign key, check, not-null). The
     * same change is refused again until someone changes the data here; it is permanent too, but
     * belongs to the change, not to the link, so a table may park it ({@code on-error: park}).
     */
    public boolean isRefusedRow(Throwable error) {
        String sqlState = sqlState(error);
        return sqlState != null && (sqlState.startsWith("22") || sqlState.startsWith("23"));
    }

    /**
     * Whether {@code error} ended a wait for a lock the application held: {@code lock_timeout}
     * expired (55P03) or PostgreSQL broke a deadlock by failing this session (40P01). Nothing was
     * wrong with the data; the same work applies once the other transaction is gone.
     */
    public boolean isLockWait(Throwable error) {
        String sqlState = sqlState(error);
        return "55P03".equals(sqlState) || "40P01".equals(sqlState);
    }

    /**
     * Whether {@code error} names a column that does not exist (42703, undefined_column): a column
     * the applier still had in its cached table shape is gone, {@code syncline ddl} dropped it here
     * since. The change is not wrong: it applies once the table is read afresh, so the link waits
     * as for a schema mismatch instead of stopping.
     */
    public boolean isDroppedColumn(Throwable error) {
        return UNDEFINED_COLUMN.equals(sqlState(error));
    }

    private static final String UNDEFINED_COLUMN = "42703";

    /** The first SQLSTATE in the chain of causes and next exceptions, or {@code null}. */
    static String sqlState(Throwable error) {
        return SqlStates.firstIn(error).orElse(null);
    }

    /** The kind for a SQLSTATE ({@link SqlStates}, shared with the capture), or {@code null} if it does not tell. */
    static Kind classify(String sqlState) {
        return SqlStates.kindOf(sqlState).map(kind -> kind == FailureKind.RETRIABLE ? Kind.RETRIABLE : Kind.PERMANENT)
                .orElse(null);
    }
}
