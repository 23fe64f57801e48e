package io.syncline.apply;

import io.syncline.apply.internal.AdaptiveBatching;
import io.syncline.apply.internal.ApplyErrorClassifier;
import io.syncline.apply.internal.ApplySession;
import io.syncline.apply.internal.ChainBreakMessage;
import io.syncline.apply.internal.ChangeFailure;
import io.syncline.apply.internal.RowRefusal;
import io.syncline.conflict.OnErrorPolicies;
import io.syncline.core.config.OnError;
import io.syncline.core.event.RejectedRecord;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.SourceTransaction;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a batch in order on one connection, in target transactions cut by
 * {@link AdaptiveBatching}: a grouped one waits at most {@value #LOCK_WAIT_BOUND} for a row lock
 * and is cut smaller after a lock wait; a source transaction the database refuses in a table that
 * parks is parked whole and the rest applied again. Used by one writer, and by each of several for
 * the target transactions applied in their turn ({@link ParallelApply}).
 */
final class SerialApply {

    private static final Logger log = LoggerFactory.getLogger(SerialApply.class);

    private final TransactionApplier applier;
    private final OnErrorPolicies onError;
    private final ApplyErrorClassifier classifier = new ApplyErrorClassifier();
    private boolean contentionLogged;

    SerialApply(TransactionApplier applier, OnErrorPolicies onError) {
        this.applier = applier;
        this.onError = onError;
    }

    /**
     * Applies {@code batch} in order on one connection marked with {@code origin}, in target
     * transactions cut by {@link AdaptiveBatching}; stores {@code nextKafkaOffset}, if present, and
     * {@code quarantined} with the last of them.
     */
    ApplyResult apply(List<SourceTransaction> batch, String upstreamNode, OptionalLong nextKafkaOffset,
            List<RejectedRecord> quarantined, String origin) throws ApplyException, RetriableApplyException {
        String prefix = "[" + applier.localNode + " <- " + upstreamNode + "]";
        ApplyResult total = ApplyResult.EMPTY;
        ApplyConnection open = null;
        try {
            open = applier.connections.openSession(origin, prefix);
            Connection connection = open.connection();
            ApplySession session = open.session();
            int from = 0;
            // An empty batch still stores the link offset (the router may have filtered every record).
            do {
                int end = applier.batching.nextCut(batch, from);
                List<SourceTransaction> group = batch.subList(from, end);
                // Earlier groups leave the link offset alone: after a crash between groups the
                // consumer re-reads from the old offset and the applied positions skip what is done.
                OptionalLong offset = end >= batch.size() ? nextKafkaOffset : OptionalLong.empty();
                boolean bounded = group.size() > 1;
                long started = System.nanoTime();
                ApplySession.Outcome outcome;
                try {
                    outcome = applyGroup(connection, session, group, upstreamNode, offset,
                            offset.isPresent() ? quarantined : List.of(), bounded, prefix);
                } catch (SQLException e) {
                    if (!bounded || !classifier.isLockWait(e)) {
                        throw e;
                    }
                    connection.rollback();
                    ChangeFailure where = ChangeFailure.of(e);
                    lockWaited(group, where == null ? null : where.transaction(), where == null ? null : where.change().table(),
                            Duration.ofNanos(System.nanoTime() - started), e, prefix);
                    continue;
                }
                applier.batching.committed(group, Duration.ofNanos(System.nanoTime() - started), LOCK_WAIT);
                from = end;
                total = total.plus(outcome.result());
                applier.notifyListener(outcome, prefix);
                if (outcome.gap() != null) {
                    ApplySession.ChainBreak gap = outcome.gap();
                    throw new ContinuityException(ChainBreakMessage.of(gap, prefix, upstreamNode),
                            gap.transaction().originNode(), gap.transaction().originPosition(), gap.verdict().expected(),
                            gap.verdict().found());
                }
            } while (from < batch.size());
            if (total.conflictCount() > 0 || total.echoTransactions() > 0 || total.parkedChanges() > 0) {
                log.info("{} applied {} transaction(s), {} duplicate(s), {} row(s), conflicts {}, parked {}", prefix,
                        total.appliedTransactions(), total.duplicateTransactions(), total.rowsWritten(), total.conflicts(),
                        total.parkedChanges());
            } else {
                log.debug("{} applied {} transaction(s), {} duplicate(s), {} row(s)", prefix,
                        total.appliedTransactions(), total.duplicateTransactions(), total.rowsWritten());
            }
            return total;
        } catch (SQLException | RuntimeException e) {
            if (open != null) {
                open.rollback();
            }
            applier.catalog.clear();
            throw ApplyFailures.of(e, prefix, upstreamNode);
        } finally {
            if (open != null) {
                open.close();
            }
        }
    }

    /**
     * Applies one group of source transactions in one target transaction. When the database refuses
     * one of them in a table that parks, rolls back and applies the group again with that one parked
     * whole, until the rest applies; each round parks one more, so it ends.
     */
    private ApplySession.Outcome applyGroup(Connection connection, ApplySession session, List<SourceTransaction> group,
            String upstreamNode, OptionalLong offset, List<RejectedRecord> quarantined, boolean boundLockWaits, String prefix)
            throws SQLException {
        Map<SourceTransaction, RowRefusal> refused = new IdentityHashMap<>();
        while (true) {
            if (boundLockWaits) {
                boundLockWaits(connection);
            }
            try {
                return session.applyTargetTransaction(group, upstreamNode, offset, refused, quarantined);
            } catch (SQLException e) {
                ChangeFailure where = ChangeFailure.of(e);
                SourceTransaction transaction = where == null ? null : where.transaction();
                RowChange change = where == null ? null : where.change();
                if (!classifier.isRefusedRow(e) || transaction == null || change == null || refused.containsKey(transaction)
                        || group.stream().noneMatch(t -> t == transaction)
                        || onError.forTable(change.table()) != OnError.PARK) {
                    throw e;
                }
                connection.rollback();
                RowRefusal refusal = RowRefusal.of(ChangeFailure.unwrap(e), change);
                log.debug("{} {}; applying the target transaction again with transaction {} of {} at position {} parked",
                        prefix, refusal.describe(), transaction.originTxId(), transaction.originNode(),
                        transaction.originPosition());
                refused.put(transaction, refusal);
            }
        }
    }

    /**
     * A target transaction of several source transactions rolled back after a lock wait: the next
     * ones are cut smaller. Said once at INFO (the operator sees that the application contends
     * with replication), then at DEBUG; the time lost goes to the listener.
     */
    private void lockWaited(List<SourceTransaction> group, SourceTransaction waitedIn, String table, Duration waited,
            SQLException e, String prefix) {
        int rows = group.stream().mapToInt(t -> t.changes().size()).sum();
        applier.batching.lockWaited(waitedIn, rows);
        String where = waitedIn == null ? "its bookkeeping"
                : "transaction " + waitedIn.originTxId() + " of " + waitedIn.originNode() + " at position "
                        + waitedIn.originPosition() + (table == null ? "" : ", table " + table);
        if (!contentionLogged) {
            contentionLogged = true;
            log.info("{} a target transaction of {} source transaction(s), {} row(s), waited {} ms for a row lock in {}"
                    + " ({}); applying in target transactions of at most {} row(s), and the contended keys' transactions"
                    + " one by one, until the contention passes", prefix, group.size(), rows, waited.toMillis(), where,
                    e.getMessage(), applier.batching.rowLimit());
        } else {
            log.debug("{} lock wait of {} ms in {}, {} row(s); row limit now {}", prefix, waited.toMillis(), where, rows,
                    applier.batching.rowLimit());
        }
        try {
            applier.listener.lockWaited(waited);
        } catch (RuntimeException failure) {
            log.warn("{} the apply listener failed", prefix, failure);
        }
    }

    /**
     * Bounds this target transaction's wait for a row lock to {@value #LOCK_WAIT_BOUND}, or the
     * session's {@code lock_timeout} if shorter. {@code SET LOCAL}: the commit or rollback restores the session's.
     */
    private static void boundLockWaits(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(BOUND_LOCK_WAITS);
        }
    }

    /** A grouped target transaction waits this long for a row lock before it yields and the applier cuts smaller ones. */
    static final String LOCK_WAIT_BOUND = "20ms";

    private static final Duration LOCK_WAIT = Duration.ofMillis(20);

    private static final String BOUND_LOCK_WAITS = """
            SELECT set_config('lock_timeout', CASE WHEN current_setting('lock_timeout')::interval = interval '0'
                OR current_setting('lock_timeout')::interval > interval '%1$s' THEN '%1$s'
                ELSE current_setting('lock_timeout') END, true)""".formatted(LOCK_WAIT_BOUND);
}
