package io.syncline.core.error;

import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;

/**
 * The one classification of PostgreSQL's SQLSTATEs (PostgreSQL manual, Appendix A "PostgreSQL
 * Error Codes") that capture and apply share. Retriable are the states after which the same
 * statements succeed once something else went away: a lost or refused connection, a server
 * short of resources or shutting down, a transaction rolled back for a concurrent one, a lock
 * or object another session still held. Everything else is permanent: stopping loses nothing,
 * retrying forever would hide the problem. Stateless.
 */
public final class SqlStates {

    /** Whole classes: 08 connection exception, 53 insufficient resources. */
    private static final Set<String> RETRIABLE_CLASSES = Set.of("08", "53");
    private static final Set<String> RETRIABLE_STATES = Set.of(
            "40001", // serialization_failure
            "40003", // statement_completion_unknown
            "40P01", // deadlock_detected
            "55P03", // lock_not_available (lock_timeout)
            "55006", // object_in_use: a slot or replication origin still held by a session going away
            "57014", // query_canceled (statement_timeout)
            "57P01", // admin_shutdown
            "57P02", // crash_shutdown
            "57P03", // cannot_connect_now
            "57P05"); // idle_session_timeout

    private SqlStates() {}

    /** The kind of {@code sqlState}; empty when it is not a SQLSTATE (null, or not five characters). */
    public static Optional<FailureKind> kindOf(String sqlState) {
        if (sqlState == null || sqlState.length() != 5) {
            return Optional.empty();
        }
        boolean retriable = RETRIABLE_STATES.contains(sqlState) || RETRIABLE_CLASSES.contains(sqlState.substring(0, 2));
        return Optional.of(retriable ? FailureKind.RETRIABLE : FailureKind.PERMANENT);
    }

    /** The first SQLSTATE in {@code failure}'s causes and their next exceptions. */
    public static Optional<String> firstIn(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException e = sql; e != null; e = e.getNextException()) {
                    if (e.getSQLState() != null && e.getSQLState().length() == 5) {
                        return Optional.of(e.getSQLState());
                    }
                }
            }
        }
        return Optional.empty();
    }
}
