package io.syncline.connector.internal;

import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.SourceTransaction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups Debezium change events into whole source transactions, using the transaction metadata
 * records ({@code provide.transaction.metadata=true}) that Debezium writes to
 * {@code <topic.prefix>.transaction}: BEGIN, then the transaction's change events, then END.
 *
 * <p>A transaction is released when its END arrives, with the commit position from the END
 * record's source offset: Debezium sets {@code lsn} and {@code lsn_commit} of that offset to the
 * LSN the walsender sent with pgoutput's COMMIT message, which is the end of the commit record
 * ({@code txn->end_lsn} in PostgreSQL's reorderbuffer; PostgresStreamingChangeEventSource.commitMessage).
 * Commit records are written in commit order, so the positions grow strictly along the stream.
 *
 * <p>Transactions whose change events carry a replication origin ({@code source.origin}) were
 * written by an applier session: they are dropped whole, which is how applied changes are never
 * published again. Transactions without a replicated row are dropped too.
 *
 * <p>A transaction is held whole only up to {@link ChunkLimits}: once it exceeds them its rows
 * leave in chunks ({@link #fullChunk()}), each released when the next row arrives, so that the
 * rows still held when END comes (the last chunk) are never none. Memory is then bounded by one
 * chunk, whatever the transaction's size (docs/large-transactions.md).
 *
 * <p>Not thread-safe: the engine's single consumer thread owns it.
 */
final class TransactionAssembler {

    private static final Logger log = LoggerFactory.getLogger(TransactionAssembler.class);
    // RelationalChangeRecordEmitter.PK_UPDATE_OLDKEY_FIELD: Debezium sends a primary-key change as a
    // delete of the old key and a create of the new one that carries the old key in this header.
    private static final String PK_UPDATE_OLD_KEY_HEADER = "__debezium.oldkey";

    /**
     * What became of a transaction whose END was seen.
     *
     * @param transaction    the whole transaction, when it was held whole and is to be published
     * @param lastChunk      the rows of a transaction that left in chunks still held at END, to be published as
     *                       its last chunk; empty when it was held whole or is dropped
     * @param chunked        whether chunks of it left before END (they must be withdrawn when it is dropped)
     * @param droppedBecause why it is not published, or null
     * @param droppedOrigin  the replication origin it was committed under, when that is why it is dropped
     */
    record Completed(long txId, long position, Optional<SourceTransaction> transaction, Optional<Chunk> lastChunk,
            boolean chunked, DropReason droppedBecause, String droppedOrigin) {

        Completed(long txId, long position, Optional<SourceTransaction> transaction) {
            this(txId, position, transaction, Optional.empty(), false, null, null);
        }

        /** Why it is not published, for a log line; null when it is published. */
        String dropDescription() {
            if (droppedBecause == null) {
                return null;
            }
            return droppedOrigin == null ? droppedBecause.description()
                    : droppedBecause.description() + " (replication origin " + droppedOrigin + ")";
        }
    }

    /** Rows of a transaction released before its END, in origin order; {@code index} counts from 0. */
    record Chunk(long txId, long commitTimeMicros, int index, List<RowChange> changes) {}

    /**
     * How much of a transaction is held before its rows leave in chunks.
     *
     * @param rows  the most row changes a chunk holds
     * @param bytes about the most bytes of column names and values a chunk holds (a single larger row still
     *              makes a chunk of its own)
     */
    record ChunkLimits(int rows, long bytes) {

        /** Small enough that a decoded chunk costs a few MiB of heap, large enough that chunks are rare. */
        static final ChunkLimits DEFAULT = new ChunkLimits(5_000, 2L * 1024 * 1024);

        ChunkLimits {
            if (rows < 1 || bytes < 1) {
                throw new IllegalArgumentException("chunk limits must be positive: " + rows + " rows, " + bytes + " bytes");
            }
        }
    }

    private final String nodeId;
    private final String transactionTopic;
    private final ChangeConverter converter;
    private final String logPrefix;
    private final Map<Long, Open> open = new LinkedHashMap<>();
    private final ChunkLimits limits;
    private Chunk full;

    TransactionAssembler(String nodeId, String transactionTopic, ChangeConverter converter) {
        this(nodeId, transactionTopic, converter, ChunkLimits.DEFAULT);
    }

    TransactionAssembler(String nodeId, String transactionTopic, ChangeConverter converter, ChunkLimits limits) {
        this.limits = limits;
        this.nodeId = nodeId;
        this.transactionTopic = transactionTopic;
        this.converter = converter;
        this.logPrefix = "[" + nodeId + " capture]";
    }

    /**
     * Takes the next record of the engine's stream.
     *
     * @return the transaction this record completed, if it was an END record
     */
    Optional<Completed> accept(SourceRecord record) {
        if (!(record.value() instanceof Struct value)) {
            return Optional.empty();
        }
        if (transactionTopic.equals(record.topic())) {
            return metadata(record, value);
        }
        if (value.schema().field("op") == null || value.schema().field("source") == null) {
            return Optional.empty(); // heartbeats and other non-change records
        }
        Struct source = value.getStruct("source");
        Long txId = source.getInt64("txId");
        if (txId == null) {
            if ("m".equals(value.getString("op"))) {
                return Optional.empty(); // non-transactional logical message
            }
            throw new UnconvertibleValueException("change event without a transaction id: " + source);
        }
        // A transaction restored from offsets after a restart gets no second BEGIN (TransactionMonitor).
        Open tx = open.computeIfAbsent(txId, Open::new);
        if (source.schema().field("origin") != null && source.getString("origin") != null) {
            tx.origin = source.getString("origin");
        }
        if (tx.commitTimeMicros == null) {
            Long micros = source.schema().field("ts_us") != null ? source.getInt64("ts_us") : null;
            tx.commitTimeMicros = micros != null ? micros : source.getInt64("ts_ms") * 1000;
        }
        if (tx.origin == null) {
            converter.convert(record.key() instanceof Struct key ? key : null, value, movedFromKey(record))
                    .ifPresent(change -> add(tx, change));
        } else if (!tx.changes.isEmpty()) {
            tx.changes.clear();
        }
        return Optional.empty();
    }

    private void add(Open tx, RowChange change) {
        // A primary-key change is a delete and an insert naming the old key: never cut between the two halves,
        // the applier pairs them within a chunk.
        boolean limitReached = tx.changes.size() >= limits.rows() || tx.bytes >= limits.bytes();
        if (limitReached && !(change.operation() == Operation.INSERT && change.changesKey())) {
            if (full != null) {
                throw new IllegalStateException(logPrefix + " a chunk of transaction " + full.txId() + " was not taken");
            }
            full = new Chunk(tx.txId, tx.commitTimeMicros, tx.chunks++, List.copyOf(tx.changes));
            tx.changes.clear();
            tx.bytes = 0;
        }
        tx.changes.add(change);
        tx.bytes += approximateBytes(change);
    }

    /**
     * The chunk the last {@link #accept} released, if any: rows of a transaction that outgrew the
     * {@link ChunkLimits}. Must be taken after each call that released one.
     */
    Optional<Chunk> fullChunk() {
        Chunk chunk = full;
        full = null;
        return Optional.ofNullable(chunk);
    }

    /** Column names and values, about what the change costs in a body and several times that on the heap. */
    private static long approximateBytes(RowChange change) {
        long bytes = 64;
        for (Map<String, String> columns : java.util.Arrays.asList(change.key(), change.oldKey(), change.values())) {
            if (columns != null) {
                for (Map.Entry<String, String> column : columns.entrySet()) {
                    bytes += column.getKey().length() + (column.getValue() == null ? 0 : column.getValue().length()) + 4;
                }
            }
        }
        return bytes;
    }

    /** The old key Debezium attaches to the insert half of a primary-key change; null for other records. */
    private static Struct movedFromKey(SourceRecord record) {
        org.apache.kafka.connect.header.Header header = record.headers().lastWithName(PK_UPDATE_OLD_KEY_HEADER);
        return header != null && header.value() instanceof Struct oldKey ? oldKey : null;
    }

    /** Whether every transaction seen so far is complete: the stream can be acknowledged up to here. */
    boolean idle() {
        return open.isEmpty();
    }

    private Optional<Completed> metadata(SourceRecord record, Struct value) {
        String status = value.getString("status");
        long txId = transactionId(value.getString("id"));
        if ("BEGIN".equals(status)) {
            open.putIfAbsent(txId, new Open(txId));
            return Optional.empty();
        }
        if (!"END".equals(status)) {
            return Optional.empty();
        }
        Open tx = open.remove(txId);
        long position = commitPosition(record);
        if (tx == null || tx.origin != null || tx.changes.isEmpty()) {
            DropReason reason = tx == null ? DropReason.NO_CHANGE_EVENTS
                    : tx.origin != null ? DropReason.WRITTEN_BY_APPLIER
                    : DropReason.NO_REPLICATED_ROWS;
            Completed dropped = new Completed(txId, position, Optional.empty(), Optional.empty(), tx != null && tx.chunks > 0,
                    reason, tx == null ? null : tx.origin);
            log.debug("{} transaction {} at {} not published: {}", logPrefix, txId, position, dropped.dropDescription());
            return Optional.of(dropped);
        }
        if (tx.chunks > 0) {
            Chunk last = new Chunk(txId, tx.commitTimeMicros, tx.chunks, List.copyOf(tx.changes));
            return Optional.of(new Completed(txId, position, Optional.empty(), Optional.of(last), true, null, null));
        }
        SourceTransaction transaction = new SourceTransaction(nodeId, position, tx.commitTimeMicros, txId, List.of(nodeId), tx.changes);
        return Optional.of(new Completed(txId, position, Optional.of(transaction)));
    }

    static long commitPosition(SourceRecord endRecord) {
        Map<String, ?> offset = endRecord.sourceOffset();
        Object lsn = offset.get("lsn_commit");
        if (!(lsn instanceof Number)) {
            lsn = offset.get("lsn");
        }
        if (!(lsn instanceof Number number)) {
            throw new UnconvertibleValueException("transaction END record without a commit LSN in its offset: " + offset);
        }
        return number.longValue();
    }

    // PostgresTransactionMonitor writes "<xid>:<lsn>".
    private static long transactionId(String id) {
        int colon = id.indexOf(':');
        return Long.parseLong(colon < 0 ? id : id.substring(0, colon));
    }

    private static final class Open {
        final long txId;
        final List<RowChange> changes = new ArrayList<>();
        String origin;
        Long commitTimeMicros;
        long bytes;
        int chunks;

        Open(long txId) {
            this.txId = txId;
        }
    }
}
