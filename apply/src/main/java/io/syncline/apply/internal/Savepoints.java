package io.syncline.apply.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.function.Function;
import java.util.function.Predicate;

/** Database work under a savepoint of its own, so that a refusal undoes only it. Not thread-safe. */
final class Savepoints {

    /** Database work that may throw. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run() throws SQLException;
    }

    private final Connection connection;
    private final ApplyErrorClassifier classifier;

    Savepoints(Connection connection, ApplyErrorClassifier classifier) {
        this.connection = connection;
        this.classifier = classifier;
    }

    /**
     * Runs {@code work} under a savepoint and keeps its effect when {@code keep} accepts the result;
     * otherwise, or when the database refuses the work in a way a retry cannot cure, rolls back to the
     * savepoint (a refusal is then answered by {@code onRefused}). A retriable failure is thrown: the
     * whole target transaction is applied again.
     */
    <T> T run(SqlWork<T> work, Predicate<T> keep, Function<SQLException, T> onRefused) throws SQLException {
        Savepoint savepoint = connection.setSavepoint();
        T result;
        try {
            result = work.run();
        } catch (SQLException e) {
            if (classifier.classify(e) == ApplyErrorClassifier.Kind.RETRIABLE) {
                throw e;
            }
            connection.rollback(savepoint);
            return onRefused.apply(e);
        }
        if (keep.test(result)) {
            connection.releaseSavepoint(savepoint);
        } else {
            connection.rollback(savepoint);
        }
        return result;
    }
}
