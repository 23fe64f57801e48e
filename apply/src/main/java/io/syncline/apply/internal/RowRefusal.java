package io.syncline.apply.internal;

import io.syncline.core.event.RowChange;
import java.sql.SQLException;
import java.util.Map;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Why the local database refused a change of a source transaction: the SQL error, and the table,
 * key and constraint it concerns. Immutable.
 *
 * @param sqlState   the SQLSTATE, e.g. {@code 23505}
 * @param message    the server's message, without its detail
 * @param detail     the server's detail, which may quote the row's values ({@code Failing row contains (...)});
 *                   {@code null} when it sent none
 * @param constraint the violated constraint, or {@code null} when the server named none
 * @param table      the schema-qualified table of the refused change
 * @param key        the primary key of the refused change
 */
public record RowRefusal(String sqlState, String message, String detail, String constraint, String table,
                         Map<String, String> key) {

    /** The refusal of {@code change} by {@code error}; the server's own fields where it sent them. */
    public static RowRefusal of(Throwable error, RowChange change) {
        String sqlState = ApplyErrorClassifier.sqlState(error);
        ServerErrorMessage server = serverMessage(error);
        String message = server == null ? rootMessage(error) : server.getMessage();
        String detail = server == null ? null : server.getDetail();
        String constraint = server == null ? null : server.getConstraint();
        return new RowRefusal(sqlState, message, detail, constraint, change.table(), change.key());
    }

    /** One line with the server's detail, for {@code syncline.dead_letter.error} and DEBUG logs. */
    public String describe() {
        return "SQLSTATE " + sqlState + ": " + message + (detail == null ? "" : " (" + detail + ")")
                + (constraint == null ? "" : " [constraint " + constraint + "]") + " on " + table + " key " + key;
    }

    /**
     * {@link #describe()} without the server's detail, for INFO to ERROR logs: those carry no row values
     * (the detail is in the dead-letter table and at DEBUG).
     */
    public String summary() {
        return "SQLSTATE " + sqlState + ": " + message + (constraint == null ? "" : " [constraint " + constraint + "]")
                + " on " + table + " key " + key;
    }

    private static ServerErrorMessage serverMessage(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException e = sql; e != null; e = e.getNextException()) {
                    if (e instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
                        return psql.getServerErrorMessage();
                    }
                }
            }
        }
        return null;
    }

    private static String rootMessage(Throwable error) {
        Throwable last = error;
        if (error instanceof SQLException sql && sql.getNextException() != null) {
            last = sql.getNextException();
        }
        return String.valueOf(last.getMessage());
    }
}
