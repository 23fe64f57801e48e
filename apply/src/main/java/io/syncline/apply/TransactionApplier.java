package io.syncline.apply;

import io.syncline.apply.internal.AdaptiveBatching;
import io.syncline.apply.internal.ApplyErrorClassifier;
import io.syncline.apply.internal.ApplySession;
import io.syncline.apply.internal.TableCatalog;
import io.syncline.conflict.ConflictPolicies;
import io.syncline.conflict.ConflictStrategy;
import io.syncline.conflict.LastWriteWinsStrategy;
import io.syncline.conflict.OnErrorPolicies;
import io.syncline.conflict.RowDecider;
import io.syncline.core.config.OnError;
import io.syncline.core.event.RejectedRecord;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.schema.ReplicatedTables;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
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
 * {@value SerialApply#LOCK_WAIT_BOUND} for a row lock; when it waits longer, or is the victim of a deadlock,
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
    final ApplyListener listener;
    final ReplicatedTables tables;
    final AdaptiveBatching batching;
    final RowDecider decider;
    final TableCatalog catalog;
    private final ApplyErrorClassifier classifier = new ApplyErrorClassifier();
    final ApplyConnections connections;
    final SerialApply serial;
    private final DeadLetterRetry retry;
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
        this.decider = new RowDecider(Objects.requireNonNull(policies, "policies"), localNode);
        this.listener = Objects.requireNonNull(listener, "listener");
        if (maxRowsPerTransaction < 1) {
            throw new IllegalArgumentException("maxRowsPerTransaction must be at least 1: " + maxRowsPerTransaction);
        }
        this.batching = new AdaptiveBatching(maxRowsPerTransaction, CALM_PERIOD, CONTENDED_KEY_MEMORY, System::nanoTime);
        this.connections = new ApplyConnections(dataSource, catalog, decider, localNode, tables);
        this.serial = new SerialApply(this, Objects.requireNonNull(onError, "onError"));
        this.retry = new DeadLetterRetry(this, connections);
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
        return serial.apply(batch, upstreamNode, OptionalLong.of(nextKafkaOffset), quarantined, writerOrigin(upstreamNode, 0));
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
        return retry.retryParked(table);
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

    /** After this long without a lock wait the row limit doubles. */
    private static final Duration CALM_PERIOD = Duration.ofSeconds(1);
    /** A key met in a lock wait gets target transactions of its own for this long. */
    private static final Duration CONTENDED_KEY_MEMORY = Duration.ofSeconds(10);

}
