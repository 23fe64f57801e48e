package io.syncline.apply;

import io.syncline.apply.internal.ApplySession;
import io.syncline.apply.internal.ChainBreakMessage;
import io.syncline.core.event.RejectedRecord;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.schema.ReplicationSchema;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One target transaction of a {@link TransactionApplier} kept open across calls: a large source
 * transaction is applied in it chunk by chunk, together with whatever else the link reads between
 * its first and last chunk, and everything commits at once, with the applied positions and the
 * link's Kafka offset ({@link #commit}). Until then nothing is visible; a failure, or
 * {@link #close()} without a commit, rolls all of it back, and the link reads again from the first
 * chunk (docs/large-transactions.md).
 *
 * <p>The chain check runs on a large transaction's first chunk, as a source transaction at the
 * position its last chunk carries; it advances the origin's position, so the later chunks are
 * applied without a check ({@link #applyChunk}). A source transaction the database refuses cannot
 * be parked whole from here (its earlier chunks are no longer held): the refusal fails the target
 * transaction as with {@code on-error: stop}.
 *
 * <p>Not thread-safe: the link's thread owns it. After any exception it is finished: close it.
 */
public final class StreamedTarget implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StreamedTarget.class);
    /** Conflicts and parked changes kept for the listener until the commit; the ones beyond are counted only. */
    private static final int MAX_REPORTED = 10_000;

    private final TransactionApplier applier;
    private final String upstreamNode;
    private final String prefix;
    private final ApplyConnection open;
    private final ApplySession session;
    private final List<ApplySession.Outcome> reported = new ArrayList<>();
    private int reportedEntries;
    private ApplyResult total = ApplyResult.EMPTY;
    private boolean finished;

    private StreamedTarget(TransactionApplier applier, String upstreamNode, String prefix, ApplyConnection open) {
        this.applier = applier;
        this.upstreamNode = upstreamNode;
        this.prefix = prefix;
        this.open = open;
        this.session = open.session();
    }

    static StreamedTarget open(TransactionApplier applier, String upstreamNode) throws ApplyException, RetriableApplyException {
        String prefix = "[" + applier.localNode + " <- " + upstreamNode + "]";
        String origin = ReplicationSchema.replicationOriginName(upstreamNode);
        ApplyConnection open;
        try {
            open = applier.connections.openSession(origin, prefix);
        } catch (SQLException | RuntimeException e) {
            throw ApplyFailures.of(e, prefix, upstreamNode);
        }
        // A refused merged row cannot be retried by applying everything again: savepoints from the start.
        open.session().writeMergedRowsUnderSavepoints();
        return new StreamedTarget(applier, upstreamNode, prefix, open);
    }

    /**
     * Applies whole transactions in the open target transaction.
     *
     * @throws ContinuityException when one breaks its origin's chain: what was applied before it is committed
     *                             without the link offset, as {@link TransactionApplier#apply} does; this target is finished
     */
    public ApplyResult apply(List<SourceTransaction> transactions) throws ApplyException, RetriableApplyException {
        ApplySession.Outcome outcome = run(() -> session.applyUncommitted(transactions, upstreamNode, OptionalLong.empty(), Map.of(), List.of()));
        stopAtGap(outcome);
        return outcome.result();
    }

    /**
     * Checks the first chunk of a large source transaction against its origin's chain and applies
     * its rows when it continues it.
     *
     * @param chunk the first chunk's changes as a source transaction at the position of its last chunk
     * @return whether its rows were applied, and the later chunks are to be; false for a duplicate
     * @throws ContinuityException as {@link #apply}
     */
    public boolean applyFirstChunk(SourceTransaction chunk) throws ApplyException, RetriableApplyException {
        ApplySession.Outcome outcome = run(() -> session.applyUncommitted(List.of(chunk), upstreamNode, OptionalLong.empty(), Map.of(), List.of()));
        stopAtGap(outcome);
        return outcome.result().appliedTransactions() == 1;
    }

    /** Applies the rows of a later chunk of a large transaction whose first chunk {@link #applyFirstChunk} applied. */
    public void applyChunk(SourceTransaction chunk) throws ApplyException, RetriableApplyException {
        run(() -> session.applyChunkRows(chunk));
    }

    /**
     * Stores {@code nextKafkaOffset} as the link's resume offset, keeps {@code quarantined} (records of
     * the part that failed validation) in the quarantine, and commits everything applied.
     *
     * @return what the target transaction applied
     */
    public ApplyResult commit(long nextKafkaOffset, List<RejectedRecord> quarantined) throws ApplyException,
            RetriableApplyException {
        run(() -> {
            session.commitStreamed(upstreamNode, OptionalLong.of(nextKafkaOffset), quarantined);
            return null;
        });
        finished = true;
        return committed();
    }

    private ApplyResult committed() {
        ApplyResult result = new ApplyResult(total.appliedTransactions(), total.duplicateTransactions(), total.echoTransactions(),
                total.rowsWritten(), total.rowsSkipped(), 1, total.conflicts(), total.parkedChanges());
        for (ApplySession.Outcome outcome : reported) {
            applier.notifyListener(new ApplySession.Outcome(ApplyResult.EMPTY, outcome.conflicts(), outcome.parked(), null), prefix);
        }
        applier.notifyListener(new ApplySession.Outcome(result, List.of(), List.of(), null), prefix);
        reported.clear();
        return result;
    }

    private void stopAtGap(ApplySession.Outcome outcome) throws ApplyException, RetriableApplyException {
        ApplySession.ChainBreak gap = outcome.gap();
        if (gap == null) {
            return;
        }
        // Those before it commit, without the link offset: the link stops at the break.
        run(() -> {
            session.commitStreamed(upstreamNode, OptionalLong.empty(), List.of());
            return null;
        });
        finished = true;
        committed();
        throw new ContinuityException(ChainBreakMessage.of(gap, prefix, upstreamNode), gap.transaction().originNode(),
                gap.transaction().originPosition(), gap.verdict().expected(), gap.verdict().found());
    }

    private interface Work {
        ApplySession.Outcome run() throws SQLException;
    }

    private ApplySession.Outcome run(Work work) throws ApplyException, RetriableApplyException {
        if (finished) {
            throw new IllegalStateException(prefix + " the streamed target transaction is finished");
        }
        try {
            ApplySession.Outcome outcome = work.run();
            if (outcome != null) {
                total = total.plus(outcome.result());
                int entries = outcome.conflicts().size() + outcome.parked().size();
                if (entries > 0 && reportedEntries + entries <= MAX_REPORTED) {
                    reported.add(outcome);
                    reportedEntries += entries;
                }
            }
            return outcome;
        } catch (SQLException | RuntimeException e) {
            finished = true;
            open.rollback();
            applier.catalog.clear();
            throw ApplyFailures.of(e, prefix, upstreamNode);
        }
    }

    /** Rolls back what was not committed and returns the connection. */
    @Override
    public void close() {
        if (!finished) {
            finished = true;
            open.rollback();
            log.debug("{} streamed target transaction rolled back", prefix);
        }
        open.close();
    }
}
