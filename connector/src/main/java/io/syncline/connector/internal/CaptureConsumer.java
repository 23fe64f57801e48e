package io.syncline.connector.internal;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.syncline.connector.OutboxPublisher;
import io.syncline.core.event.ChainLink;
import io.syncline.core.event.OriginIdentity;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.event.TransactionChunk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's consumer: assembles whole transactions and publishes them, then acknowledges
 * the stream to Debezium.
 *
 * <p>At-least-once, never a gap: a record is marked processed only once every transaction that
 * ended at or before it is committed in Kafka, and only at points of the stream where no
 * transaction is half seen. Debezium's offsets are positions, so marking such a record
 * acknowledges everything before it; records of an unfinished transaction are never
 * acknowledged, and after a crash Debezium streams again from the last acknowledged point.
 *
 * <p>A transaction that outgrows the assembler's chunk limits is published as chunks while it is
 * streamed, in one Kafka transaction that commits with its last chunk (docs/large-transactions.md).
 * A failure in between aborts that Kafka transaction and stops the engine, which streams the source
 * transaction again from its start: its chunks cannot be sent again from memory.
 *
 * <p>Called by the engine's single processing thread ({@code record.processing.order=ORDERED}).
 */
public final class CaptureConsumer implements DebeziumEngine.ChangeConsumer<ChangeEvent<SourceRecord, SourceRecord>> {

    private static final Logger log = LoggerFactory.getLogger(CaptureConsumer.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final TransactionAssembler assembler;
    private final OutboxPublisher publisher;
    private final BooleanSupplier stopping;
    private final String logPrefix;
    private final CaptureCounters counters;
    private final OriginIdentity identity;
    private final String nodeId;
    /** The large transaction whose chunks are being published, or null. */
    private OpenChunks chunks;

    /**
     * @param identity the identity the published transactions carry; {@code counters.lastPublishedPosition} must hold
     *                 the position of the newest transaction published under it (-1 for none): the chain continues there
     */
    public CaptureConsumer(String nodeId, ChangeConverter converter, OutboxPublisher publisher, BooleanSupplier stopping,
            CaptureCounters counters, OriginIdentity identity) {
        this.identity = identity;
        this.nodeId = nodeId;
        this.assembler = new TransactionAssembler(nodeId, DebeziumSettings.transactionTopic(nodeId), converter);
        this.publisher = publisher;
        this.stopping = stopping;
        this.counters = counters;
        this.logPrefix = "[" + nodeId + " capture]";
    }

    /** Counters shared with {@code LocalCapture}; thread-safe. */
    public static final class CaptureCounters {
        public final AtomicLong publishedTransactions = new AtomicLong();
        public final AtomicLong publishedChanges = new AtomicLong();
        public final AtomicLong appliedTransactionsSkipped = new AtomicLong();
        /** The position of the newest transaction Kafka committed under the capture's identity, -1 for none. */
        public final AtomicLong lastPublishedPosition = new AtomicLong(-1);
    }

    @Override
    public void handleBatch(List<ChangeEvent<SourceRecord, SourceRecord>> records,
            DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer) throws InterruptedException {
        try {
            publishBatch(records, committer);
        } catch (InterruptedException | RuntimeException | Error e) {
            if (chunks != null) {
                // The engine streams the source transaction again from its start after a restart.
                publisher.abortChunks();
                log.warn("{} publishing transaction {} in chunks stopped after {} chunk(s); they are withdrawn", logPrefix,
                        chunks.txId, chunks.sent);
                chunks = null;
            }
            throw e;
        }
    }

    private void publishBatch(List<ChangeEvent<SourceRecord, SourceRecord>> records,
            DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer) throws InterruptedException {
        List<SourceTransaction> ready = new ArrayList<>();
        ChangeEvent<SourceRecord, SourceRecord> lastSafe = null;
        // Only positions Kafka acknowledged count: a failed publish must not make a re-sent transaction look done.
        long newest = counters.lastPublishedPosition.get();
        for (ChangeEvent<SourceRecord, SourceRecord> event : records) {
            Optional<TransactionAssembler.Completed> completed = assembler.accept(event.value());
            Optional<TransactionAssembler.Chunk> chunk = assembler.fullChunk();
            if (chunk.isPresent()) {
                if (chunks == null) {
                    // The whole ones before it first: one Kafka transaction at a time, in commit order.
                    publishWithRetry(ready);
                    ready.clear();
                    chunks = new OpenChunks(chunk.get().txId(), new ChainLink(identity, newest < 0 ? ChainLink.NONE : newest));
                    publisher.beginChunks();
                    log.info("{} transaction {} outgrew one outbox record; publishing it in chunks", logPrefix, chunks.txId);
                }
                sendChunk(chunk.get(), false, TransactionChunk.UNKNOWN_POSITION);
            }
            if (completed.isPresent() && completed.get().chunked()) {
                TransactionAssembler.Completed c = completed.get();
                if (chunks == null || chunks.txId != c.txId()) {
                    throw new IllegalStateException(logPrefix + " transaction " + c.txId() + " ended in chunks that were not"
                            + " published in order");
                }
                if (c.lastChunk().isPresent() && c.position() > newest) {
                    sendChunk(c.lastChunk().get(), true, c.position());
                    publisher.commitChunks();
                    newest = c.position();
                    counters.publishedTransactions.incrementAndGet();
                    counters.lastPublishedPosition.set(newest);
                    log.info("{} published transaction {} at {} in {} chunks, {} row changes", logPrefix, c.txId(), newest,
                            chunks.sent, chunks.rows);
                } else {
                    publisher.abortChunks();
                    log.info("{} transaction {} at {} withdrawn after {} chunk(s): {}", logPrefix, c.txId(), c.position(),
                            chunks.sent, c.droppedBecause() != null ? c.dropDescription() : "already published");
                }
                chunks = null;
            } else if (completed.isPresent()) {
                TransactionAssembler.Completed c = completed.get();
                if (c.transaction().isPresent()) {
                    if (c.position() <= newest) {
                        // Debezium streams again from its last offset after a restart of its task.
                        log.debug("{} transaction {} at {} already published", logPrefix, c.txId(), c.position());
                    } else {
                        // Each transaction names its predecessor: a reader sees when one never arrived.
                        ready.add(c.transaction().get().withChain(new ChainLink(identity, newest < 0 ? ChainLink.NONE : newest)));
                        newest = c.position();
                    }
                } else if (c.droppedBecause() == DropReason.WRITTEN_BY_APPLIER) {
                    counters.appliedTransactionsSkipped.incrementAndGet();
                }
            }
            if (assembler.idle()) {
                lastSafe = event;
            }
        }
        publishWithRetry(ready);
        if (lastSafe != null) {
            committer.markProcessed(lastSafe);
        }
        committer.markBatchFinished();
    }

    /** The large transaction being published in chunks, across batches of the engine. */
    private static final class OpenChunks {
        final long txId;
        final ChainLink link;
        int sent;
        long rows;

        OpenChunks(long txId, ChainLink link) {
            this.txId = txId;
            this.link = link;
        }
    }

    private void sendChunk(TransactionAssembler.Chunk chunk, boolean last, long position) throws InterruptedException {
        if (chunk.txId() != chunks.txId || chunk.index() != chunks.sent) {
            throw new IllegalStateException(logPrefix + " chunk " + chunk.index() + " of transaction " + chunk.txId()
                    + " while chunk " + chunks.sent + " of transaction " + chunks.txId + " is due");
        }
        publisher.sendChunk(new TransactionChunk(nodeId, chunk.txId(), chunk.commitTimeMicros(), chunks.link, chunk.index(), last,
                position, List.of(nodeId), chunk.changes()));
        chunks.sent++;
        chunks.rows += chunk.changes().size();
        counters.publishedChanges.addAndGet(chunk.changes().size());
    }

    private void publishWithRetry(List<SourceTransaction> ready) throws InterruptedException {
        if (ready.isEmpty()) {
            return;
        }
        long backoffMillis = 100;
        for (int attempt = 1; ; attempt++) {
            try {
                publisher.publish(ready);
                int changes = ready.stream().mapToInt(tx -> tx.changes().size()).sum();
                counters.publishedTransactions.addAndGet(ready.size());
                counters.publishedChanges.addAndGet(changes);
                counters.lastPublishedPosition.set(ready.get(ready.size() - 1).originPosition());
                if (attempt > 1) {
                    log.info("{} published {} transaction(s) after {} attempts", logPrefix, ready.size(), attempt);
                }
                log.trace("{} published {} transaction(s), {} row changes, up to position {}", logPrefix, ready.size(), changes,
                        ready.get(ready.size() - 1).originPosition());
                return;
            } catch (RuntimeException e) {
                if (!CaptureErrors.isRetriable(e) || stopping.getAsBoolean()) {
                    throw e;
                }
                log.warn("{} publishing {} transaction(s) to Kafka failed (attempt {}), retrying in {} ms: {}", logPrefix,
                        ready.size(), attempt, backoffMillis, e.toString());
                Thread.sleep(backoffMillis);
                backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
            }
        }
    }
}
