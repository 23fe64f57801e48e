package io.syncline.apply;

import io.syncline.apply.internal.ApplyErrorClassifier;
import io.syncline.apply.internal.ApplySession;
import io.syncline.apply.internal.ChangeFailure;
import io.syncline.apply.internal.RowRefusal;
import io.syncline.conflict.ResolverFailedException;
import io.syncline.core.codec.TransactionCodec;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.schema.ReplicationSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies the changes parked in the dead-letter table again ({@link TransactionApplier#retryParked}). */
final class DeadLetterRetry {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterRetry.class);

    private final TransactionApplier applier;
    private final ApplyConnections connections;
    private final ApplyErrorClassifier classifier = new ApplyErrorClassifier();

    DeadLetterRetry(TransactionApplier applier, ApplyConnections connections) {
        this.applier = applier;
        this.connections = connections;
    }

    /**
     * Applies the changes parked in {@code syncline.dead_letter} again, oldest first, each in its own
     * target transaction, with the current resolvers ({@code syncline conflicts retry}). A parked change
     * is decided against the row as it is now: if a later version superseded it meanwhile, it is
     * skipped; if it is concurrent with the row, it is resolved and logged like any conflict. Changes
     * whose resolution fails again stay parked with the new error.
     *
     * @param table only changes of this schema-qualified table, or {@code null} for all
     * @throws RetriableApplyException after a transient failure; what was applied before it stays applied
     * @throws ApplyException          after a permanent database failure
     */
    TransactionApplier.RetryResult retryParked(String table) throws ApplyException, RetriableApplyException {
        String prefix = "[" + applier.localNode + " retry]";
        Connection connection = null;
        ApplySession session = null;
        boolean originSet = false;
        int applied = 0;
        Map<Long, String> errors = new TreeMap<>();
        try {
            connection = applier.dataSource.getConnection();
            connection.setAutoCommit(true);
            connections.ensureOrigin(connection, TransactionApplier.RETRY_ORIGIN);
            // Set first: a failure half-way leaves the session to reset or discard, never to reuse as it is.
            originSet = true;
            ApplyConnections.startApplySession(connection, TransactionApplier.RETRY_ORIGIN);
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement list = connection.prepareStatement("SELECT id FROM " + ReplicationSchema.DEAD_LETTER_TABLE
                    + " WHERE ?::text IS NULL OR table_name = ? ORDER BY id")) {
                list.setString(1, table);
                list.setString(2, table);
                try (ResultSet rs = list.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            connection.setAutoCommit(false);
            session = new ApplySession(connection, applier.catalog, applier.decider, applier.localNode, prefix, applier.tables);
            // A refused row must fail its own retry only, so that it stays parked with the new error.
            session.writeMergedRowsUnderSavepoints();
            for (long id : ids) {
                byte[] body;
                String origin;
                try (PreparedStatement lock = connection.prepareStatement("SELECT change, origin_node FROM "
                        + ReplicationSchema.DEAD_LETTER_TABLE + " WHERE id = ? FOR UPDATE SKIP LOCKED")) {
                    lock.setLong(1, id);
                    try (ResultSet rs = lock.executeQuery()) {
                        if (!rs.next()) {
                            connection.rollback();
                            continue;
                        }
                        body = rs.getBytes(1);
                        origin = rs.getString(2);
                    }
                }
                try {
                    SourceTransaction parked = TransactionCodec.decode(body, List.of(origin));
                    ApplySession.Outcome outcome = session.applyParked(parked);
                    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM "
                            + ReplicationSchema.DEAD_LETTER_TABLE + " WHERE id = ?")) {
                        delete.setLong(1, id);
                        delete.executeUpdate();
                    }
                    connection.commit();
                    applied++;
                    applier.notifyListener(outcome, prefix);
                    log.info("{} applied dead letter {} ({} change(s) of {} at position {}, first {} of {})", prefix, id,
                            parked.changes().size(), parked.originNode(), parked.originPosition(),
                            parked.changes().get(0).operation(), parked.changes().get(0).table());
                } catch (ResolverFailedException e) {
                    connection.rollback();
                    stillParked(connection, id, e.getMessage());
                    errors.put(id, e.getMessage());
                    log.warn("{} dead letter {} failed again: {}", prefix, id, e.getMessage());
                } catch (SQLException e) {
                    ChangeFailure where = ChangeFailure.of(e);
                    if (!classifier.isRefusedRow(e) || where == null) {
                        throw e;
                    }
                    connection.rollback();
                    RowRefusal refusal = RowRefusal.of(ChangeFailure.unwrap(e), where.change());
                    String error = refusal.describe();
                    stillParked(connection, id, error);
                    errors.put(id, error);
                    log.warn("{} dead letter {} was refused again: {}; it stays parked", prefix, id, refusal.summary());
                    log.debug("{} dead letter {}: {}", prefix, id, error);
                }
            }
            return new TransactionApplier.RetryResult(applied, errors.size(), errors);
        } catch (SQLException | RuntimeException e) {
            ApplyConnections.rollback(connection, prefix);
            applier.catalog.clear();
            throw ApplyFailures.of(e, prefix, "the dead-letter table");
        } finally {
            if (session != null) {
                session.close();
            }
            connections.release(connection, originSet, prefix);
        }
    }

    /** Records a failed retry of dead letter {@code id}, which stays parked, and commits. */
    private static void stillParked(Connection connection, long id, String error) throws SQLException {
        try (PreparedStatement again = connection.prepareStatement("UPDATE " + ReplicationSchema.DEAD_LETTER_TABLE
                + " SET attempts = attempts + 1, error = ?, last_attempt_at = now() WHERE id = ?")) {
            again.setString(1, error);
            again.setLong(2, id);
            again.executeUpdate();
        }
        connection.commit();
    }
}
