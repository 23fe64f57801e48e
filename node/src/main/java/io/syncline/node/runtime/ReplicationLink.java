package io.syncline.node.runtime;

import io.syncline.apply.ApplyException;
import io.syncline.apply.ApplyResult;
import io.syncline.apply.ContinuityException;
import io.syncline.apply.RetriableApplyException;
import io.syncline.apply.SchemaMismatchException;
import io.syncline.apply.TransactionApplier;
import io.syncline.connector.KafkaErrors;
import io.syncline.connector.OutboxPublisher;
import io.syncline.connector.OutboxReader;
import io.syncline.connector.ReceivedTransaction;
import io.syncline.core.codec.EventHeaders;
import io.syncline.core.codec.MalformedEventException;
import io.syncline.core.error.FailureKind;
import io.syncline.core.event.QuarantineReason;
import io.syncline.core.event.RejectedRecord;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.node.metrics.ReplicationMeters;
import io.syncline.topology.Router;
import io.syncline.topology.RoutingDecision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node reading one upstream node's outbox: route each transaction (drop loops, forward
 * where the topology needs it), then apply the batch. Forwarding happens before the apply
 * commits, so a crash in between re-forwards (downstream nodes drop the duplicate) instead of
 * losing the forward. Runs on its own thread until {@link #stop()}, or until a break in
 * continuity (records it needs gone from the outbox, a transaction that does not continue its
 * origin's chain) stops it in {@link LinkStatus.State#GAP} (docs/continuity.md).
 */
final class ReplicationLink implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ReplicationLink.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final Duration INITIAL_BACKOFF = Duration.ofMillis(100);
    private static final Duration APPLY_RETRY_BACKOFF = Duration.ofMillis(20);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private static final Duration SCHEMA_RECHECK = Duration.ofMillis(500);
    private static final Duration BOUNDS_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration QUARANTINE_RECOUNT = Duration.ofSeconds(10);

    private final String localNode;
    private final String upstream;
    private final Supplier<OutboxReader> readers;
    private final TransactionApplier applier;
    private final Supplier<Router> router;
    private final OutboxPublisher forwarder;
    private final LinkStatus status;
    private final ReplicationMeters meters;
    private final Clock clock;
    private final Map<String, Long> highestSeenPosition = new HashMap<>();
    private final PositionHorizon horizon;
    private Instant quarantineCountedAt = Instant.MIN;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private boolean progressed;

    ReplicationLink(String localNode, String upstream, Supplier<OutboxReader> readers, TransactionApplier applier,
                    Supplier<Router> router, OutboxPublisher forwarder, LinkStatus status, ReplicationMeters meters, Clock clock) {
        this.localNode = localNode;
        this.upstream = upstream;
        this.readers = readers;
        this.applier = applier;
        this.router = router;
        this.forwarder = forwarder;
        this.status = status;
        this.meters = meters;
        this.clock = clock;
        this.horizon = new PositionHorizon(applier::appliedPosition);
    }

    String prefix() {
        return "[" + localNode + " <- " + upstream + "]";
    }

    /** Asks the link to stop after the batch in hand; returns at once. */
    void stop() {
        running = false;
        stopped.countDown();
    }

    @Override
    public void run() {
        Duration backoff = INITIAL_BACKOFF;
        while (running) {
            try (OutboxReader reader = readers.get()) {
                OptionalLong stored = applier.linkOffset(upstream);
                // A link that never read this outbox starts at its beginning, whenever the upstream creates it.
                Optional<String> gone = stored.isEmpty() ? Optional.empty()
                        : OutboxGap.check(reader.topic(), stored, reader.bounds(BOUNDS_TIMEOUT));
                if (gone.isPresent()) {
                    stopAtGap(prefix() + " " + gone.get());
                    return;
                }
                reader.seek(stored);
                countQuarantined();
                status.state(LinkStatus.State.STREAMING, null);
                streamUntilStopped(reader);
            } catch (ContinuityException e) {
                stopAtGap(e.getMessage());
                return;
            } catch (InvalidOffsetException e) {
                // auto.offset.reset=none: the records the link was about to read were deleted under it.
                stopAtGap(prefix() + " " + OutboxGap.vanished(e.getMessage()));
                return;
            } catch (KafkaException e) {
                if (KafkaErrors.kindOf(e) == FailureKind.PERMANENT) {
                    fail("Kafka refuses this link's work, and would again on every retry: " + e, e);
                    return;
                }
                backoff = retryAfter(e, backoff);
                if (backoff == null) {
                    break;
                }
            } catch (RetriableApplyException e) {
                backoff = retryAfter(e, backoff);
                if (backoff == null) {
                    break;
                }
            } catch (SchemaMismatchException e) {
                // Only thrown once the link was asked to stop while it waited for the schema.
                break;
            } catch (ApplyException | MalformedEventException e) {
                // Permanent: stop this link where it is; nothing after the failing transaction is applied or skipped.
                status.state(LinkStatus.State.FAILED, e.getMessage());
                log.error("{} link stopped: {}", prefix(), e.getMessage());
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                // Nothing the link knows how to handle: stop it visibly rather than let its thread end unseen.
                fail("unexpected failure: " + e, e);
                return;
            }
        }
        status.state(LinkStatus.State.STOPPED, null);
    }

    /**
     * Stops this link in FAILED where it is, with {@code failure}'s stack trace in the log: nothing after the
     * last applied transaction is applied or skipped, and a restart of the node resumes there.
     */
    private void fail(String reason, Throwable failure) {
        String message = prefix() + " link stopped: " + reason + "; fix the cause and restart the node, which resumes this"
                + " link after its last applied transaction";
        status.state(LinkStatus.State.FAILED, message);
        log.error("{}", message, failure);
    }

    /**
     * Reports a retriable failure, waits {@code backoff} and returns the next back-off (doubling up to the
     * maximum, from the start again once the link had progressed); {@code null} when interrupted.
     */
    private Duration retryAfter(Exception e, Duration backoff) {
        Duration current = backoff;
        if (progressed) {
            current = INITIAL_BACKOFF;
            progressed = false;
        }
        status.state(LinkStatus.State.RETRYING, e.getMessage());
        log.warn("{} {}; retrying in {} ms from the last applied offset", prefix(), e.getMessage(), current.toMillis());
        try {
            pause(current);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return null;
        }
        return current.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : current.multipliedBy(2);
    }

    /** A break in continuity: the link stops where it is and says why; nothing after it is applied or skipped. */
    private void stopAtGap(String message) {
        status.state(LinkStatus.State.GAP, message);
        log.error("{}", message);
    }

    /**
     * Applies a batch, retrying transient database failures (deadlocks with the node's other
     * links, serialization failures, a lost connection) in place with a short back-off: the
     * forwards are already committed and the reader stays where it is, so a retry costs only
     * the database work. Gives up only when the link is stopped.
     */
    private ApplyResult applyWithRetry(List<SourceTransaction> batch, long nextOffset, List<RejectedRecord> rejected)
            throws ApplyException, RetriableApplyException, InterruptedException {
        Duration backoff = APPLY_RETRY_BACKOFF;
        Duration schemaRecheck = SCHEMA_RECHECK;
        for (int attempt = 1; ; attempt++) {
            try {
                ApplyResult result = applier.apply(batch, upstream, nextOffset, rejected);
                if (status.state() == LinkStatus.State.SCHEMA_MISMATCH) {
                    status.state(LinkStatus.State.STREAMING, null);
                    log.info("{} the local schema matches the changes again; applying resumed", prefix());
                }
                return result;
            } catch (SchemaMismatchException e) {
                if (!running) {
                    throw e;
                }
                // Pause this link only: other links keep applying. Each attempt reads the local catalog
                // afresh, so the link resumes once someone applies the schema change here.
                if (status.state() != LinkStatus.State.SCHEMA_MISMATCH || !e.getMessage().equals(status.lastError())) {
                    log.warn("{} paused in SCHEMA_MISMATCH ({}): {}; checking again, at least every {} s", prefix(),
                            e.column() == null ? "table " + e.table() : "table " + e.table() + ", column " + e.column()
                                    + ", type at the origin " + (e.sourceType() == null ? "not sent" : e.sourceType())
                                    + ", here " + (e.localType() == null ? "missing" : e.localType()),
                            e.getMessage(), MAX_BACKOFF.toSeconds());
                }
                status.state(LinkStatus.State.SCHEMA_MISMATCH, e.getMessage());
                pause(schemaRecheck);
                schemaRecheck = schemaRecheck.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF
                        : schemaRecheck.multipliedBy(2);
            } catch (RetriableApplyException e) {
                if (!running) {
                    throw e;
                }
                status.state(LinkStatus.State.RETRYING, e.getMessage());
                if (attempt == 1) {
                    log.debug("{} {}; applying the batch again", prefix(), e.getMessage());
                } else {
                    log.warn("{} attempt {}: {}; applying the batch again in {} ms", prefix(), attempt, e.getMessage(),
                            backoff.toMillis());
                }
                // Jitter: two links that deadlocked on the same rows should not retry in lock step.
                pause(backoff.plusMillis(ThreadLocalRandom.current().nextLong(backoff.toMillis() + 1)));
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                status.state(LinkStatus.State.STREAMING, null);
            }
        }
    }

    private void streamUntilStopped(OutboxReader reader) throws ApplyException, RetriableApplyException, InterruptedException {
        while (running) {
            List<ReceivedTransaction> received = reader.poll(POLL_TIMEOUT);
            List<RejectedRecord> rejected = new ArrayList<>(reader.takeRejected());
            status.contacted(clock.instant());
            if (received.isEmpty() && rejected.isEmpty()) {
                status.nextOffset(reader.position());
                if (clock.instant().isAfter(quarantineCountedAt.plus(QUARANTINE_RECOUNT))) {
                    countQuarantined();
                }
                continue;
            }
            // A large transaction's chunks: what comes before them is applied here, then they are (ChunkedRange).
            int firstChunk = ChunkedRange.firstChunk(received);
            long chunksAt = firstChunk < 0 ? -1 : received.get(firstChunk).offset();
            if (firstChunk >= 0) {
                received = received.subList(0, firstChunk);
            }
            // Records refused from the chunks on are read again with them, and kept with their part.
            long cut = chunksAt;
            if (cut >= 0) {
                rejected.removeIf(r -> r.offset() >= cut);
            }
            if (!received.isEmpty()) {
                long bodyBytes = 0;
                for (ReceivedTransaction r : received) {
                    bodyBytes += r.body().length;
                }
                long end = cut >= 0 ? cut : reader.position();
                status.read(bodyBytes, end - received.get(0).offset());
            }
            Router currentRouter = router.get();
            List<SourceTransaction> toApply = new ArrayList<>(received.size());
            List<OutboxPublisher.Forward> forwards = new ArrayList<>();
            int dropped = 0;
            for (ReceivedTransaction r : received) {
                SourceTransaction tx = r.transaction();
                String jump = horizon.implausibleJump(tx);
                if (jump != null) {
                    rejected.add(new RejectedRecord(reader.topic(), r.offset(), tx.originNode(),
                            QuarantineReason.IMPLAUSIBLE_POSITION, jump, headersOf(tx, r.body()), r.body()));
                    continue;
                }
                RoutingDecision decision = currentRouter.decide(tx.originNode(), tx.path());
                if (decision.forward()) {
                    forwards.add(new OutboxPublisher.Forward(tx.forwardedBy(localNode), r.body()));
                }
                if (decision.apply()) {
                    toApply.add(tx);
                } else {
                    dropped++;
                    log.trace("{} dropped {}@{}: {}", prefix(), tx.originNode(), tx.originPosition(), decision.reason());
                }
            }
            // Kept and reported in outbox order, whichever check refused them.
            rejected.sort(Comparator.comparingLong(RejectedRecord::offset));
            // One Kafka transaction for the whole batch, committed before the apply (see the class comment).
            forwarder.publishForwarded(forwards);
            int forwarded = forwards.size();
            long nextOffset = chunksAt >= 0 ? chunksAt : reader.position();
            ApplyResult result = applyWithRetry(toApply, nextOffset, rejected);
            progressed = true;
            quarantined(rejected);
            status.applied(result.appliedTransactions(), result.duplicateTransactions(), result.echoTransactions(),
                    result.rowsWritten(), result.conflictCount());
            status.parked(result.parkedChanges());
            status.dropped(dropped);
            status.forwarded(forwarded);
            status.nextOffset(nextOffset);
            recordLag(toApply);
            if (chunksAt >= 0) {
                applyChunked(reader, chunksAt);
            }
        }
    }

    /** Says what was kept in the quarantine (committed with the offset past it) and what to do. */
    private void quarantined(List<RejectedRecord> rejected) {
        if (rejected.isEmpty()) {
            return;
        }
        for (RejectedRecord record : rejected) {
            String what = "record at offset " + record.offset() + " of " + record.topic() + " (origin "
                    + (record.origin() == null ? "unknown" : record.origin()) + ") quarantined, " + record.reason() + ": "
                    + record.detail();
            log.warn("{} {}. It is kept in {} and was neither applied nor forwarded; no applied position moved and the"
                    + " link goes on. To do: {}; list with `syncline conflicts quarantined`, then discard with"
                    + " `syncline conflicts quarantined --discard`", prefix(), what, ReplicationSchema.QUARANTINE_TABLE,
                    record.reason().advice());
            status.quarantined(1, what);
        }
    }

    /** The record's headers: the validator found each equal to what the body says. */
    private static Map<String, String> headersOf(SourceTransaction tx, byte[] body) {
        return Map.of(EventHeaders.ORIGIN, tx.originNode(), EventHeaders.PATH, String.join(",", tx.path()),
                EventHeaders.POSITION, Long.toString(tx.originPosition()), EventHeaders.FORMAT, Integer.toString(body[1]));
    }

    /** Reads how many of this link's records wait in the quarantine: an operator may have discarded some. */
    private void countQuarantined() throws ApplyException, RetriableApplyException {
        status.quarantinedWaiting(applier.quarantinedCount(upstream));
        quarantineCountedAt = clock.instant();
    }

    private void applyChunked(OutboxReader reader, long start) throws ApplyException, RetriableApplyException, InterruptedException {
        ChunkedRange range = new ChunkedRange(localNode, prefix(), applier, router, forwarder, status, clock, () -> running,
                this::quarantined);
        ApplyResult result;
        Duration schemaRecheck = SCHEMA_RECHECK;
        while (true) {
            try {
                result = range.apply(reader, start);
                break;
            } catch (SchemaMismatchException e) {
                if (!running) {
                    throw e;
                }
                // As applyWithRetry does: this link waits, the others go on; the part is read again each time.
                if (status.state() != LinkStatus.State.SCHEMA_MISMATCH || !e.getMessage().equals(status.lastError())) {
                    log.warn("{} paused in SCHEMA_MISMATCH (table {}, column {}) within a large transaction: {}; checking again,"
                            + " at least every {} s", prefix(), e.table(), e.column(), e.getMessage(), MAX_BACKOFF.toSeconds());
                }
                status.state(LinkStatus.State.SCHEMA_MISMATCH, e.getMessage());
                pause(schemaRecheck);
                schemaRecheck = schemaRecheck.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : schemaRecheck.multipliedBy(2);
            }
        }
        if (result == null) {
            return;
        }
        if (status.state() == LinkStatus.State.SCHEMA_MISMATCH) {
            status.state(LinkStatus.State.STREAMING, null);
            log.info("{} the local schema matches the changes again; applying resumed", prefix());
        }
        progressed = true;
        status.applied(result.appliedTransactions(), result.duplicateTransactions(), result.echoTransactions(),
                result.rowsWritten(), result.conflictCount());
        status.parked(result.parkedChanges());
        status.nextOffset(reader.position());
    }

    /** Lag of transactions seen for the first time by this link: origin commit to local commit. */
    private void recordLag(List<SourceTransaction> applied) {
        long nowMillis = clock.millis();
        for (SourceTransaction tx : applied) {
            Long highest = highestSeenPosition.get(tx.originNode());
            if (highest == null || tx.originPosition() > highest) {
                highestSeenPosition.put(tx.originNode(), tx.originPosition());
                meters.applied(tx.originNode(), tx.commitTimeMicros() / 1000, nowMillis);
            }
        }
    }

    /** Waits {@code duration} or until {@link #stop()}, whichever comes first. */
    private void pause(Duration duration) throws InterruptedException {
        stopped.await(duration.toMillis(), TimeUnit.MILLISECONDS);
    }
}
