package io.syncline.node.runtime;

import io.syncline.apply.ApplyException;
import io.syncline.apply.ApplyResult;
import io.syncline.apply.RetriableApplyException;
import io.syncline.apply.StreamedTarget;
import io.syncline.apply.TransactionApplier;
import io.syncline.connector.OutboxPublisher;
import io.syncline.connector.OutboxReader;
import io.syncline.connector.ReceivedTransaction;
import io.syncline.core.event.RejectedRecord;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.event.TransactionChunk;
import io.syncline.topology.Router;
import io.syncline.topology.RoutingDecision;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the part of an upstream outbox that begins with the first chunk of a large transaction,
 * up to the first point where no large transaction is half read, in ONE target transaction
 * ({@link StreamedTarget}), holding one chunk at a time (docs/large-transactions.md).
 *
 * <p>Two passes over the part. The first reads only the chunks' identities, to learn where the part
 * ends and each large transaction's commit position, which only its last chunk carries; the second
 * reads it again from its start, forwards what the topology needs, and applies every record in it:
 * whole transactions of other origins read between the chunks too, and they commit with the large
 * one. The commit stores the offset past the part. A failure or a stop in between rolls everything
 * back, and the link reads again from the first chunk. A transaction abandoned half read (a
 * forwarder that stopped and forwarded it again) is skipped; its second copy is applied.
 *
 * <p>Not thread-safe: one link's thread uses it.
 */
final class ChunkedRange {

    private static final Logger log = LoggerFactory.getLogger(ChunkedRange.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final Duration WAIT_WARNING = Duration.ofSeconds(60);

    private final String localNode;
    private final String prefix;
    private final TransactionApplier applier;
    private final Supplier<Router> router;
    private final OutboxPublisher forwarder;
    private final LinkStatus status;
    private final Clock clock;
    private final BooleanSupplier running;
    private final Consumer<List<RejectedRecord>> quarantined;

    /** @param quarantined told of the part's records kept in the quarantine, once they are committed */
    ChunkedRange(String localNode, String prefix, TransactionApplier applier, Supplier<Router> router, OutboxPublisher forwarder,
            LinkStatus status, Clock clock, BooleanSupplier running, Consumer<List<RejectedRecord>> quarantined) {
        this.quarantined = quarantined;
        this.localNode = localNode;
        this.prefix = prefix;
        this.applier = applier;
        this.router = router;
        this.forwarder = forwarder;
        this.status = status;
        this.clock = clock;
        this.running = running;
    }

    /** The index of the first chunk in {@code received}, or -1. */
    static int firstChunk(List<ReceivedTransaction> received) {
        for (int i = 0; i < received.size(); i++) {
            if (received.get(i).isChunk()) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Applies the part of the outbox from {@code start}, the offset of a first chunk, and leaves the
     * reader past it.
     *
     * @return what was applied, or null when the link was stopped before the part was complete (nothing of it
     *         is applied, the reader's position is undefined)
     */
    ApplyResult apply(OutboxReader reader, long start) throws ApplyException, RetriableApplyException, InterruptedException {
        long begun = clock.millis();
        log.info("{} a large transaction begins at offset {} of {}; reading on to its last chunk", prefix, start, reader.topic());
        Map<Long, Long> positions = new HashMap<>();
        OptionalLong end = scan(reader, start, positions);
        if (end.isEmpty()) {
            return null;
        }
        reader.seek(OptionalLong.of(start));
        ChunkSequences sequences = new ChunkSequences();
        Map<Long, Boolean> applying = new HashMap<>();
        int forwardedCount = 0;
        int dropped = 0;
        try (StreamedTarget target = applier.openStreamed(upstream())) {
            long next = start;
            while (next < end.getAsLong()) {
                if (!running.getAsBoolean()) {
                    return null;
                }
                List<ReceivedTransaction> received = reader.poll(POLL_TIMEOUT);
                status.contacted(clock.instant());
                Router currentRouter = router.get();
                List<OutboxPublisher.Forward> forwards = new ArrayList<>();
                List<Step> toApply = new ArrayList<>(received.size());
                for (ReceivedTransaction r : received) {
                    if (r.offset() >= end.getAsLong()) {
                        break;
                    }
                    next = r.offset() + 1;
                    RoutingDecision decision = currentRouter.decide(r.originNode(), r.isChunk() ? r.chunk().path()
                            : r.transaction().path());
                    if (decision.forward()) {
                        forwards.add(r.isChunk() ? new OutboxPublisher.Forward(r.chunk().forwardedBy(localNode), r.body())
                                : new OutboxPublisher.Forward(r.transaction().forwardedBy(localNode), r.body()));
                    }
                    // Sequences follow every record, applied or not, as in the first pass.
                    ChunkSequences.Step step = sequences.accept(r);
                    if (decision.apply()) {
                        toApply.add(new Step(r, step));
                    } else {
                        dropped++;
                    }
                }
                // Forwarded before they are applied, as the link does with whole transactions.
                forwarder.publishForwarded(forwards);
                forwardedCount += forwards.size();
                applyInOrder(target, toApply, positions, applying);
            }
            // Both passes read the part's refused records; each is kept once, with the offset past the part.
            Map<Long, RejectedRecord> rejected = new java.util.TreeMap<>();
            for (RejectedRecord record : reader.takeRejected()) {
                if (record.offset() >= start && record.offset() < end.getAsLong()) {
                    rejected.putIfAbsent(record.offset(), record);
                }
            }
            ApplyResult result = target.commit(end.getAsLong(), List.copyOf(rejected.values()));
            quarantined.accept(List.copyOf(rejected.values()));
            reader.seek(end);
            status.dropped(dropped);
            status.forwarded(forwardedCount);
            log.info("{} applied offsets {} to {} of {} with {} large transaction(s) in one target transaction: {} row(s),"
                    + " {} transaction(s), {} duplicate(s), in {} ms", prefix, start, end.getAsLong() - 1, reader.topic(),
                    positions.size(), result.rowsWritten(), result.appliedTransactions(), result.duplicateTransactions(),
                    clock.millis() - begun);
            return result;
        }
    }

    /** A record to apply and what it is for its transaction. */
    private record Step(ReceivedTransaction record, ChunkSequences.Step step) {}

    private void applyInOrder(StreamedTarget target, List<Step> records, Map<Long, Long> positions, Map<Long, Boolean> applying)
            throws ApplyException, RetriableApplyException {
        List<SourceTransaction> whole = new ArrayList<>();
        for (Step next : records) {
            ReceivedTransaction r = next.record();
            ChunkSequences.Step step = next.step();
            if (step.kind() == ChunkSequences.Kind.WHOLE) {
                whole.add(r.transaction());
                continue;
            }
            Long position = positions.get(step.firstOffset());
            if (step.kind() == ChunkSequences.Kind.STRAY || position == null) {
                continue; // abandoned half read, or the rest of a transaction that began before this part
            }
            if (!whole.isEmpty()) {
                target.apply(whole);
                whole.clear();
            }
            TransactionChunk chunk = r.decodeChunk();
            SourceTransaction rows = chunk.asTransaction(position);
            if (step.kind() == ChunkSequences.Kind.FIRST) {
                applying.put(step.firstOffset(), target.applyFirstChunk(rows));
            } else if (applying.getOrDefault(step.firstOffset(), false)) {
                target.applyChunk(rows);
            }
        }
        if (!whole.isEmpty()) {
            target.apply(whole);
        }
    }

    /**
     * Reads chunk identities from {@code start} until no large transaction is half read; fills in
     * the commit position of each complete one by the offset of its first chunk.
     *
     * @return the offset past the part, or empty when the link was stopped first
     */
    private OptionalLong scan(OutboxReader reader, long start, Map<Long, Long> positions) throws InterruptedException {
        reader.seek(OptionalLong.of(start));
        ChunkSequences sequences = new ChunkSequences();
        long waitingSince = clock.millis();
        boolean warned = false;
        while (running.getAsBoolean()) {
            List<ReceivedTransaction> received = reader.poll(POLL_TIMEOUT);
            status.contacted(clock.instant());
            for (ReceivedTransaction r : received) {
                ChunkSequences.Step step = sequences.accept(r);
                if (step.abandoned() >= 0) {
                    log.warn("{} a large transaction from offset {} of {} was abandoned half read (a forwarder stopped and sent"
                            + " it again); it is skipped here and its complete copy is applied", prefix, step.abandoned(),
                            reader.topic());
                }
                if (r.isChunk() && r.chunk().last() && step.kind() != ChunkSequences.Kind.STRAY) {
                    positions.put(step.firstOffset(), r.chunk().originPosition());
                }
                if (sequences.idle()) {
                    return OptionalLong.of(r.offset() + 1);
                }
            }
            if (received.isEmpty() && !warned && clock.millis() - waitingSince > WAIT_WARNING.toMillis()) {
                warned = true;
                log.warn("{} waiting for the rest of {} in {} for {} s; nothing read from offset {} on is applied until it"
                        + " is complete. If the upstream stopped forwarding it for good, restart this node after the upstream"
                        + " forwarded it again", prefix, sequences.describeOpen(), reader.topic(), WAIT_WARNING.toSeconds(),
                        start);
            }
        }
        return OptionalLong.empty();
    }

    private String upstream() {
        return status.upstream();
    }
}
