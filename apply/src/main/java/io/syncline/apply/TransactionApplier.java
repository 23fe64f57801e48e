package io.syncline.apply;

import com.zaxxer.hikari.HikariDataSource;
import io.syncline.apply.internal.AdaptiveBatching;
import io.syncline.apply.internal.ApplyErrorClassifier;
import io.syncline.apply.internal.ApplySession;
import io.syncline.apply.internal.ChainBreakMessage;
import io.syncline.apply.internal.ChangeFailure;
import io.syncline.apply.internal.LocalSchemaMismatch;
import io.syncline.apply.internal.RowRefusal;
import io.syncline.apply.internal.TableCatalog;
import io.syncline.conflict.ConflictPolicies;
import io.syncline.conflict.ConflictStrategy;
import io.syncline.conflict.LastWriteWinsStrategy;
import io.syncline.conflict.OnErrorPolicies;
import io.syncline.conflict.ResolverFailedException;
import io.syncline.conflict.RowDecider;
import io.syncline.core.config.OnError;
import io.syncline.core.event.RejectedRecord;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.schema.ReplicatedTables;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the source transactions received over one upstream link to the local database:
 * exactly once per origin position, each source transaction whole, each origin's transactions
 * in order, with per-row conflict detection (version vectors) and resolution (a
 * {@link TablePolicy} per table, last-write-wins by default). A change whose resolution fails (a
 * custom resolver that throws or returns a row the database refuses) is parked in
 * {@code syncline.dead_letter} and the rest goes on. A source transaction the database refuses
 * (SQLSTATE class 22 or 23) in a table with {@link OnError#PARK} is parked there whole, in the
 * target transaction that moves its origin's position past it, and the other transactions of the
 * batch apply without it; with {@link OnError#STOP} it fails the batch. {@link #retryParked}
 * applies parked changes and transactions again.
 *
 * <p>Every target transaction runs in a session marked with the replication origin
 * {@link ReplicationSchema#replicationOriginName(String) replicationOriginName(upstream)}: the
 * row-version triggers leave it alone (the applier writes the versions itself) and the local
 * capture drops it, so applied changes are never published as local ones. The applied position
 * of each origin and the link's Kafka offset are written in the same target transaction as the
 * rows they cover.
 *
 * <p>A target transaction holds the rows it writes until it commits, so the application waits on
 * them for as long as it lasts. One that groups several source transactions waits at most
 * {@value #LOCK_WAIT_BOUND} for a row lock; when it waits longer, or is the victim of a deadlock,
 * it rolls back and the applier cuts smaller target transactions ({@link AdaptiveBatching}): their
 * limit halves, source transactions that write the contended keys get one of their own, and the
 * limit grows back after a calm period. The limit halves too after a target transaction of several
 * source transactions that resolved conflicts (the application writes the same rows) took longer
 * than 50 ms: the application may have waited on it without the applier waiting on the application. A target transaction of one source transaction waits as
 * long as the session allows, like the application's own.
 *
 * <p>Not thread-safe: one thread drives one applier, and one applier serves one upstream link
 * (a replication origin can be used by one session at a time; several writers each use one of their own). The {@link DataSource} should
 * be dedicated to applying; a connection whose origin session cannot be reset is evicted from a
 * HikariCP pool, or aborted, rather than handed to another user.
 */
public final class TransactionApplier {

    private static final Logger log = LoggerFactory.getLogger(TransactionApplier.class);

    public static final int DEFAULT_MAX_ROWS_PER_TRANSACTION = 5_000;

    final String localNode;
    final DataSource dataSource;
    private final ApplyListener listener;
    final ReplicatedTables tables;
    final AdaptiveBatching batching;
    final RowDecider decider;
    private final OnErrorPolicies onError;
    final TableCatalog catalog;
    private final ApplyErrorClassifier classifier = new ApplyErrorClassifier();
    private boolean contentionLogged;
    private final Set<String> originsReady = ConcurrentHashMap.newKeySet();
    private volatile boolean deadlockTimeoutWarned;
    private final int writers;
    private final ParallelApply parallel;

    /** Last-write-wins, no listener, {@value #DEFAULT_MAX_ROWS_PER_TRANSACTION} rows per target transaction. */
    public TransactionApplier(String localNode, DataSource dataSource) {
        this(localNode, dataSource, LastWriteWinsStrategy.INSTANCE, ApplyListener.NONE, DEFAULT_MAX_ROWS_PER_TRANSACTION);
    }

    /**
     * One strategy for every table, and a refused transaction fails its batch ({@link OnError#STOP});
     * see {@link #TransactionApplier(String, DataSource, ConflictPolicies, OnErrorPolicies, ApplyListener, int)}.
     */
    public TransactionApplier(String localNode, DataSource dataSource, ConflictStrategy strategy, ApplyListener listener,
            int maxRowsPerTransaction) {
        this(localNode, dataSource, ConflictPolicies.uniform(Objects.requireNonNull(strategy, "strategy")), listener,
                maxRowsPerTransaction);
    }

    /** A refused transaction fails its batch ({@link OnError#STOP}), as in every table. */
    public TransactionApplier(String localNode, DataSource dataSource, ConflictPolicies policies, ApplyListener listener,
            int maxRowsPerTransaction) {
        this(localNode, dataSource, policies, OnErrorPolicies.uniform(OnError.STOP), listener, maxRowsPerTransaction);
    }

    /**
     * @param localNode             this node's id
     * @param dataSource            the local database, as a superuser or a role granted EXECUTE on the
     *                              {@code pg_replication_origin_*} functions
     * @param policies              the conflict policy of each table
     * @param onError               what to do, table by table, with a source transaction the database refuses
     * @param listener              told about committed work, for metrics
     * @param maxRowsPerTransaction a target transaction takes consecutive source transactions until it would
     *                              exceed this many row changes; a larger source transaction gets one of its own;
     *                              fewer under lock waits ({@link AdaptiveBatching})
     */
    public TransactionApplier(String localNode, DataSource dataSource, ConflictPolicies policies, OnErrorPolicies onError,
            ApplyListener listener, int maxRowsPerTransaction) {
        this(localNode, dataSource, policies, onError, listener, maxRowsPerTransaction, null);
    }

    /**
     * As {@link #TransactionApplier(String, DataSource, ConflictPolicies, OnErrorPolicies, ApplyListener, int)},
     * for a node that takes its peers' schema changes ({@code syncline ddl}) in {@code tables}.
     *
     * @param tables the node's replicated tables, shared with the rest of the node; a change of another table,
     *               and a peer's schema change of another table that does not create it, waits in a schema
     *               mismatch; null: changes of any table apply, and no peer's schema change does
     */
    public TransactionApplier(String localNode, DataSource dataSource, ConflictPolicies policies, OnErrorPolicies onError,
            ApplyListener listener, int maxRowsPerTransaction, ReplicatedTables tables) {
        this(localNode, dataSource, policies, onError, listener, maxRowsPerTransaction, tables, 1);
    }

    /**
     * As {@link #TransactionApplier(String, DataSource, ConflictPolicies, OnErrorPolicies, ApplyListener, int,
     * ReplicatedTables)}, with {@code writers} connections applying the target transactions of a batch side by side
     * (docs/performance.md): those whose source transactions write disjoint keys run concurrently,
     * those that share a key one after the other, and all commit in batch order, so that the applied
     * positions and the link offset move exactly as with one writer. The listener is then called
     * from the writers' threads.
     *
     * @param writers at least 1; the data source must hold that many connections for this link
     */
    public TransactionApplier(String localNode, DataSource dataSource, ConflictPolicies policies, OnErrorPolicies onError,
            ApplyListener listener, int maxRowsPerTransaction, ReplicatedTables tables, int writers) {
        if (writers < 1) {
            throw new IllegalArgumentException("writers must be at least 1: " + writers);
        }
        this.writers = writers;
        this.tables = tables;
        this.catalog = new TableCatalog(tables);
        this.localNode = Objects.requireNonNull(localNode, "localNode");
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.onError = Objects.requireNonNull(onError, "onError");
        this.decider = new RowDecider(Objects.requireNonNull(policies, "policies"), localNode);
        this.listener = Objects.requireNonNull(listener, "listener");
        if (maxRowsPerTransaction < 1) {
            throw new IllegalArgumentException("maxRowsPerTransaction must be at least 1: " + maxRowsPerTransaction);
        }
        this.batching = new AdaptiveBatching(maxRowsPerTransaction, CALM_PERIOD, CONTENDED_KEY_MEMORY, System::nanoTime);
        this.parallel = writers == 1 ? null : new ParallelApply(this, writers);
    }

    /**
     * Applies {@code batch}, consecutive transactions read from {@code upstreamNode}'s outbox (of
     * one or several origins, each origin's in commit order), and stores {@code nextKafkaOffset} as
     * the link's resume offset with the last of them.
     *
     * <p>Transactions at or below their origin's applied position are skipped as duplicates, so
     * the same batch may be applied again after a failure or a restart. Transactions of this node
     * or that already passed through it are skipped with a warning (they would be echoes).
     *
     * @throws RetriableApplyException after a transient failure; the failed target transaction was rolled back,
     *                                 apply the same batch again after a back-off
     * @throws ContinuityException     when a transaction does not continue its origin's chain; those before it are
     *                                 applied, nothing from it on; stop the link in a gap state
     * @throws ApplyException          after a permanent failure; stop the link, fix the cause named in the message
     */
    public ApplyResult apply(List<SourceTransaction> batch, String upstreamNode, long nextKafkaOffset)
            throws ApplyException, RetriableApplyException {
        return apply(batch, upstreamNode, nextKafkaOffset, List.of());
    }

    /**
     * As {@link #apply(List, String, long)}, and keeps {@code quarantined}, records of the same poll
     * that failed validation, in {@code syncline.quarantine} in the target transaction that stores
     * {@code nextKafkaOffset}: the link moves past them exactly when they are kept, and no origin's
     * applied position moves for them.
     */
    public ApplyResult apply(List<SourceTransaction> batch, String upstreamNode, long nextKafkaOffset,
            List<RejectedRecord> quarantined) throws ApplyException, RetriableApplyException {
        Objects.requireNonNull(upstreamNode, "upstreamNode");
        Objects.requireNonNull(quarantined, "quarantined");
        if (parallel != null && batch.size() > 1) {
            return parallel.apply(batch, upstreamNode, nextKafkaOffset, quarantined);
        }
        return applySerially(batch, upstreamNode, OptionalLong.of(nextKafkaOffset), quarantined, writerOrigin(upstreamNode, 0));
    }

    /** The writers that apply a batch side by side (1: the batch is applied in order by the calling thread). */
    public int writers() {
        return writers;
    }

    /**
     * The replication origin of writer {@code writer} of the link from {@code upstreamNode}: an
     * origin is used by one session at a time, and writer 0 keeps the name of a single writer.
     */
    static String writerOrigin(String upstreamNode, int writer) {
        String origin = ReplicationSchema.replicationOriginName(upstreamNode);
        return writer == 0 ? origin : origin + "/w" + writer;
    }

    /**
     * Applies {@code batch} in order on one connection marked with {@code origin}, in target
     * transactions cut by {@link AdaptiveBatching}; stores {@code nextKafkaOffset}, if present, and
     * {@code quarantined} with the last of them.
     */
    ApplyResult applySerially(List<SourceTransaction> batch, String upstreamNode, OptionalLong nextKafkaOffset,
            List<RejectedRecord> quarantined, String origin) throws ApplyException, RetriableApplyException {
        String prefix = "[" + localNode + " <- " + upstreamNode + "]";
        ApplyResult total = ApplyResult.EMPTY;
        ApplyConnection open = null;
        try {
            open = openSession(origin, prefix);
            Connection connection = open.connection();
            ApplySession session = open.session();
            int from = 0;
            // An empty batch still stores the link offset (the router may have filtered every record).
            do {
                int end = batching.nextCut(batch, from);
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
                batching.committed(group, Duration.ofNanos(System.nanoTime() - started), LOCK_WAIT);
                from = end;
                total = total.plus(outcome.result());
                notifyListener(outcome, prefix);
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
            catalog.clear();
            throw failure(e, prefix, upstreamNode);
        } finally {
            if (open != null) {
                open.close();
            }
        }
    }

    /**
     * Takes a connection from the pool and sets it up for applying as {@code origin}: creates the
     * origin once, marks the session with it ({@link #startApplySession}), lowers its deadlock
     * timeout ({@link #yieldInDeadlocks}) and turns autocommit off. On a failure the connection is
     * returned, its origin session reset if it was set, and the failure thrown.
     */
    ApplyConnection openSession(String origin, String prefix) throws SQLException {
        Connection connection = null;
        boolean originSet = false;
        try {
            connection = dataSource.getConnection();
            connection.setAutoCommit(true);
            ensureOrigin(connection, origin);
            // Set first: a failure half-way leaves the session to reset or discard, never to reuse as it is.
            originSet = true;
            startApplySession(connection, origin);
            yieldInDeadlocks(connection, prefix);
            connection.setAutoCommit(false);
            return new ApplyConnection(this, connection, new ApplySession(connection, catalog, decider, localNode, prefix, tables),
                    prefix);
        } catch (SQLException | RuntimeException e) {
            rollback(connection, prefix);
            release(connection, originSet, prefix);
            throw e;
        }
    }

    /**
     * Opens one target transaction that stays open across calls, for a large source transaction
     * read chunk by chunk and whatever the link reads between its chunks (docs/large-transactions.md).
     * Nothing is visible until {@link StreamedTarget#commit}; closing it without a commit rolls back.
     *
     * @throws RetriableApplyException after a transient failure opening it
     * @throws ApplyException          after a permanent one
     */
    public StreamedTarget openStreamed(String upstreamNode) throws ApplyException, RetriableApplyException {
        return StreamedTarget.open(this, Objects.requireNonNull(upstreamNode, "upstreamNode"));
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

    /** The replication origin of {@link #retryParked} sessions: marks them as apply transactions, so they are not captured. */
    public static final String RETRY_ORIGIN = "syncline_retry";

    /**
     * What {@link #retryParked} did.
     *
     * @param applied      parked changes applied (and removed from the dead-letter table)
     * @param stillParked  parked changes that failed again (their error and attempt count updated)
     * @param errors       dead-letter id -> error of those that failed again
     */
    public record RetryResult(int applied, int stillParked, Map<Long, String> errors) {}

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
    public RetryResult retryParked(String table) throws ApplyException, RetriableApplyException {
        String prefix = "[" + localNode + " retry]";
        Connection connection = null;
        ApplySession session = null;
        boolean originSet = false;
        int applied = 0;
        Map<Long, String> errors = new java.util.TreeMap<>();
        try {
            connection = dataSource.getConnection();
            connection.setAutoCommit(true);
            ensureOrigin(connection, RETRY_ORIGIN);
            // Set first: a failure half-way leaves the session to reset or discard, never to reuse as it is.
            originSet = true;
            startApplySession(connection, RETRY_ORIGIN);
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
            session = new ApplySession(connection, catalog, decider, localNode, prefix, tables);
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
                    SourceTransaction parked = io.syncline.core.codec.TransactionCodec.decode(body, List.of(origin));
                    ApplySession.Outcome outcome = session.applyParked(parked);
                    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM "
                            + ReplicationSchema.DEAD_LETTER_TABLE + " WHERE id = ?")) {
                        delete.setLong(1, id);
                        delete.executeUpdate();
                    }
                    connection.commit();
                    applied++;
                    notifyListener(outcome, prefix);
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
            return new RetryResult(applied, errors.size(), errors);
        } catch (SQLException | RuntimeException e) {
            rollback(connection, prefix);
            catalog.clear();
            throw failure(e, prefix, "the dead-letter table");
        } finally {
            if (session != null) {
                session.close();
            }
            release(connection, originSet, prefix);
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

    /** The number of changes waiting in {@code syncline.dead_letter}. */
    public long parkedCount() throws ApplyException, RetriableApplyException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + ReplicationSchema.DEAD_LETTER_TABLE)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            String message = "[" + localNode + "] counting the dead letters failed: " + e.getMessage();
            if (classifier.classify(e) == ApplyErrorClassifier.Kind.RETRIABLE) {
                throw new RetriableApplyException(message, e);
            }
            throw new ApplyException(message + "; check that `syncline init` ran on this database", null, -1, null, e);
        }
    }

    /** The records read from {@code upstreamNode}'s outbox that wait in {@code syncline.quarantine}. */
    public long quarantinedCount(String upstreamNode) throws ApplyException, RetriableApplyException {
        return readLong("SELECT count(*) FROM " + ReplicationSchema.QUARANTINE_TABLE + " WHERE upstream_node = ?", upstreamNode)
                .orElse(0);
    }

    /** The work is committed: a failing listener must not make it look failed. */
    void notifyListener(ApplySession.Outcome outcome, String prefix) {
        try {
            outcome.conflicts().forEach(listener::conflictResolved);
            outcome.parked().forEach(listener::changeParked);
            listener.targetTransactionCommitted(outcome.result());
        } catch (RuntimeException e) {
            log.warn("{} the apply listener failed; the target transaction is committed all the same", prefix, e);
        }
    }

    /** The last origin position of {@code originNode} applied here, or empty if none. */
    public OptionalLong appliedPosition(String originNode) throws ApplyException, RetriableApplyException {
        return readLong("SELECT position FROM " + ReplicationSchema.APPLIED_POSITION_TABLE
                + " WHERE origin_node = ? AND position >= 0", originNode);
    }

    /** The Kafka offset to resume reading {@code upstreamNode}'s outbox from, or empty if none is stored. */
    public OptionalLong linkOffset(String upstreamNode) throws ApplyException, RetriableApplyException {
        return readLong("SELECT next_offset FROM " + ReplicationSchema.LINK_OFFSET_TABLE + " WHERE upstream_node = ?", upstreamNode);
    }

    private OptionalLong readLong(String sql, String node) throws ApplyException, RetriableApplyException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, node);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        } catch (SQLException e) {
            String message = "[" + localNode + "] reading the resume point of " + node + " failed: " + e.getMessage();
            if (classifier.classify(e) == ApplyErrorClassifier.Kind.RETRIABLE) {
                throw new RetriableApplyException(message, e);
            }
            throw new ApplyException(message + "; check that `syncline init` ran on this database", null, -1, null, e);
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
        batching.lockWaited(waitedIn, rows);
        String where = waitedIn == null ? "its bookkeeping"
                : "transaction " + waitedIn.originTxId() + " of " + waitedIn.originNode() + " at position "
                        + waitedIn.originPosition() + (table == null ? "" : ", table " + table);
        if (!contentionLogged) {
            contentionLogged = true;
            log.info("{} a target transaction of {} source transaction(s), {} row(s), waited {} ms for a row lock in {}"
                    + " ({}); applying in target transactions of at most {} row(s), and the contended keys' transactions"
                    + " one by one, until the contention passes", prefix, group.size(), rows, waited.toMillis(), where,
                    e.getMessage(), batching.rowLimit());
        } else {
            log.debug("{} lock wait of {} ms in {}, {} row(s); row limit now {}", prefix, waited.toMillis(), where, rows,
                    batching.rowLimit());
        }
        try {
            listener.lockWaited(waited);
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
    /** After this long without a lock wait the row limit doubles. */
    private static final Duration CALM_PERIOD = Duration.ofSeconds(1);
    /** A key met in a lock wait gets target transactions of its own for this long. */
    private static final Duration CONTENDED_KEY_MEMORY = Duration.ofSeconds(10);
    private static final String BOUND_LOCK_WAITS = """
            SELECT set_config('lock_timeout', CASE WHEN current_setting('lock_timeout')::interval = interval '0'
                OR current_setting('lock_timeout')::interval > interval '%1$s' THEN '%1$s'
                ELSE current_setting('lock_timeout') END, true)""".formatted(LOCK_WAIT_BOUND);

    /**
     * Lowers this session's {@code deadlock_timeout} to {@value #APPLIER_DEADLOCK_TIMEOUT} when the
     * server's is longer. In a deadlock the session whose timeout expires first runs the check and
     * is the one aborted (PostgreSQL manual, "Lock Management"): an applier locked in a cycle with
     * an application transaction is then the one that fails, and it applies its batch again after
     * a tenth of the default wait, while the application's transaction goes on. Setting the
     * parameter takes a superuser or {@code GRANT SET ON PARAMETER deadlock_timeout}; without
     * either the server's timeout stays, said once in the log.
     */
    void yieldInDeadlocks(Connection connection, String prefix) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(YIELD_IN_DEADLOCKS);
            if (statement.getWarnings() != null && !deadlockTimeoutWarned) {
                deadlockTimeoutWarned = true;
                log.warn("{} cannot lower deadlock_timeout for the applier ({}): in a deadlock with an application"
                        + " transaction either may be aborted; GRANT SET ON PARAMETER deadlock_timeout TO the node's role"
                        + " so that the applier yields", prefix, statement.getWarnings().getMessage());
            }
        }
    }

    private static final String APPLIER_DEADLOCK_TIMEOUT = "100ms";
    private static final String YIELD_IN_DEADLOCKS = """
            DO $$
            BEGIN
                IF current_setting('deadlock_timeout')::interval > interval '%1$s' THEN
                    PERFORM set_config('deadlock_timeout', '%1$s', false);
                END IF;
            EXCEPTION WHEN insufficient_privilege THEN
                RAISE NOTICE 'permission denied to set deadlock_timeout, which stays %%', current_setting('deadlock_timeout');
            END $$""".formatted(APPLIER_DEADLOCK_TIMEOUT);

    /**
     * Starts an apply session on a pooled connection, in one round trip: marks its transactions
     * with {@code origin}, so that the capture leaves them out and the row triggers leave their
     * versions alone, and turns hash and merge joins off. The applier joins a batch of keys to
     * their rows and tombstones; with joins by hash the planner reads a table of up to a few
     * hundred thousand rows whole for each batch (it prices 5000 index lookups above a scan of
     * 100,000 cached rows, which took 70 ms against 12 ms), so the cost of applying grew with the
     * table. Index lookups cost the same whatever the table's size. {@link #release} undoes both
     * before the connection goes back to the pool ({@link #yieldInDeadlocks}'s timeout stays: a
     * role that may not set it may not reset it either).
     */
    static void startApplySession(Connection connection, String origin) throws SQLException {
        try (PreparedStatement setup = connection.prepareStatement("SELECT pg_replication_origin_session_setup(?),"
                + " set_config('enable_hashjoin', 'off', false), set_config('enable_mergejoin', 'off', false)")) {
            setup.setString(1, origin);
            setup.execute();
        }
    }

    void ensureOrigin(Connection connection, String origin) throws SQLException {
        if (originsReady.contains(origin)) {
            return;
        }
        try (PreparedStatement find = connection.prepareStatement("SELECT pg_replication_origin_oid(?)")) {
            find.setString(1, origin);
            try (ResultSet rs = find.executeQuery()) {
                rs.next();
                if (rs.getObject(1) == null) {
                    try (PreparedStatement create = connection.prepareStatement("SELECT pg_replication_origin_create(?)")) {
                        create.setString(1, origin);
                        create.execute();
                    }
                }
            }
        }
        originsReady.add(origin);
    }

    static void rollback(Connection connection, String prefix) {
        if (connection == null) {
            return;
        }
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
        } catch (SQLException e) {
            log.debug("{} rollback failed (the connection is probably gone): {}", prefix, e.toString());
        }
    }

    /** Returns the connection without its origin session and join settings; one that keeps them must not be reused. */
    void release(Connection connection, boolean originSet, String prefix) {
        if (connection == null) {
            return;
        }
        boolean clean = !originSet;
        if (originSet) {
            try {
                if (!connection.getAutoCommit()) {
                    connection.rollback();
                    connection.setAutoCommit(true);
                }
                try (Statement reset = connection.createStatement()) {
                    reset.execute("SELECT pg_replication_origin_session_reset(); RESET enable_hashjoin; RESET enable_mergejoin");
                }
                clean = true;
            } catch (SQLException e) {
                log.warn("{} could not reset the replication origin session; discarding the connection: {}", prefix, e.toString());
            }
        }
        try {
            if (!clean) {
                if (dataSource instanceof HikariDataSource hikari) {
                    hikari.evictConnection(connection);
                    return;
                }
                connection.abort(Runnable::run);
            }
            connection.close();
        } catch (SQLException e) {
            log.debug("{} closing the connection failed: {}", prefix, e.toString());
        }
    }

    /**
     * The exception that reports {@code e}, with the transaction and change it happened in when it
     * names them ({@link ChangeFailure}).
     *
     * @throws RetriableApplyException when {@code e} is transient
     */
    ApplyException failure(Exception e, String prefix, String upstreamNode) throws RetriableApplyException {
        ChangeFailure located = ChangeFailure.of(e);
        SourceTransaction transaction = located == null ? null : located.transaction();
        RowChange change = located == null ? null : located.change();
        String where = transaction == null
                ? "while applying a batch from " + upstreamNode
                : "while applying transaction " + transaction.originTxId() + " of " + transaction.originNode()
                        + " at position " + transaction.originPosition()
                        + (change == null ? "" : ", " + change.operation() + " of " + change.table() + " key " + change.key());
        String cause = e.getMessage();
        if (e instanceof SQLException sql && sql.getSQLState() != null) {
            cause = "SQLSTATE " + sql.getSQLState() + ": " + cause;
        }
        if (e instanceof SQLException && classifier.classify(e) == ApplyErrorClassifier.Kind.RETRIABLE) {
            throw new RetriableApplyException(prefix + " transient failure " + where + " (rolled back; apply the batch again): "
                    + cause, e);
        }
        if (ChangeFailure.unwrap(e) instanceof LocalSchemaMismatch mismatch) {
            return new SchemaMismatchException(prefix + " schema mismatch " + where + ": " + cause
                    + ". Nothing of it was applied and the origin's position did not advance; the link waits and applies"
                    + " it once this node's table matches (apply the same schema change here)",
                    transaction == null ? null : transaction.originNode(),
                    transaction == null ? -1 : transaction.originPosition(), mismatch.table(), mismatch.column(),
                    mismatch.sourceType(), mismatch.localType(), e);
        }
        if (classifier.isDroppedColumn(e)) {
            // A column this applier still had in its cached table shape is gone: `syncline ddl` dropped it here since.
            // The cache is cleared (above); waiting as for a mismatch applies it again with the table read afresh.
            return new SchemaMismatchException(prefix + " schema mismatch " + where + ": " + cause + ". The table changed"
                    + " while the link applied it; nothing was applied, and the link applies it again with the table read"
                    + " afresh", transaction == null ? null : transaction.originNode(),
                    transaction == null ? -1 : transaction.originPosition(), change == null ? null : change.table(), null,
                    null, null, e);
        }
        return new ApplyException(prefix + " permanent failure " + where + ": " + cause
                + ". The target transaction was rolled back and the origin's position did not advance; fix the cause"
                + " (schema or data on this node) and restart the link, which resumes at this transaction",
                transaction == null ? null : transaction.originNode(),
                transaction == null ? -1 : transaction.originPosition(),
                change == null ? null : change.table(), e);
    }
}
