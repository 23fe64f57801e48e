package io.syncline.apply.internal;

import io.syncline.core.event.ControlRecord;
import io.syncline.core.event.ProgressReport;

import io.syncline.core.event.SourceTransaction;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which source transactions of a target transaction apply: not echoes of this node, not
 * duplicates or superseded ones, and none from the first that breaks its origin's chain
 * ({@link ChainCheck}) on. Advances each origin's position past those it lets through. Not
 * thread-safe: one per {@link ApplySession}.
 */
final class TransactionFilter {

    private static final Logger log = LoggerFactory.getLogger(TransactionFilter.class);

    /**
     * The source transactions of a target transaction, sorted.
     *
     * @param toApply   those whose changes apply, in order
     * @param toPark    those the database refused, parked whole
     * @param advanced  the origins whose position moved
     * @param last      the last transaction let through (applied or parked), or null
     * @param gap       the transaction that broke its origin's chain, where the target transaction ends; or null
     * @param applied   transactions applied, progress reports and parked ones left out
     */
    record Filtered(List<SourceTransaction> toApply, List<SourceTransaction> toPark, Set<String> advanced,
                    SourceTransaction last, ApplySession.ChainBreak gap, int applied, int duplicates, int echoes) {}

    private final String localNode;
    private final String logPrefix;

    TransactionFilter(String localNode, String logPrefix) {
        this.localNode = localNode;
        this.logPrefix = logPrefix;
    }

    /** The origins of the transactions that are not echoes. */
    Set<String> origins(List<SourceTransaction> transactions) {
        Set<String> origins = new HashSet<>();
        for (SourceTransaction transaction : transactions) {
            if (!isEcho(transaction)) {
                origins.add(transaction.originNode());
            }
        }
        return origins;
    }

    /** Positions to advance from {@code expected}, known without reading them. */
    static Map<String, ApplyBookkeeping.Position> positionsOf(Set<String> origins, Map<String, ChainCheck.Applied> expected) {
        Map<String, ApplyBookkeeping.Position> positions = new HashMap<>();
        for (String origin : origins) {
            positions.put(origin, ApplyBookkeeping.Position.of(expected.getOrDefault(origin, ChainCheck.Applied.NOTHING)));
        }
        return positions;
    }

    /**
     * Sorts {@code transactions} against {@code positions}, which it advances.
     *
     * @param refused  transactions to park whole instead of applying
     * @param planned  whether the target transaction was planned against other positions than the ones applied
     *                 now ({@link ApplySession#applyInTurn}): a chain break then fails with SQLSTATE 40001
     */
    Filtered filter(List<SourceTransaction> transactions, Map<String, ApplyBookkeeping.Position> positions,
            Map<SourceTransaction, RowRefusal> refused, boolean planned) throws SQLException {
        Set<String> advanced = new HashSet<>();
        int applied = 0;
        int duplicates = 0;
        int echoes = 0;
        SourceTransaction last = null;
        ApplySession.ChainBreak gap = null;
        List<SourceTransaction> toApply = new ArrayList<>(transactions.size());
        List<SourceTransaction> toPark = new ArrayList<>(refused.size());
        for (SourceTransaction transaction : transactions) {
            if (isEcho(transaction)) {
                log.warn("{} skipped transaction {} of {} at position {} with path {}: it already passed through this node"
                        + " (the router should not have sent it)", logPrefix, transaction.originTxId(),
                        transaction.originNode(), transaction.originPosition(), transaction.path());
                echoes++;
                continue;
            }
            ApplyBookkeeping.Position position = positions.get(transaction.originNode());
            ChainCheck.Verdict verdict = ChainCheck.check(position.applied, transaction);
            if (verdict.isBreak()) {
                if (planned) {
                    // Planned against other positions than it meets: the one writer left applies it and stops there.
                    throw new SQLException("transaction " + transaction.originTxId() + " of " + transaction.originNode()
                            + " at position " + transaction.originPosition() + " does not continue the chain it was planned"
                            + " against (" + verdict.kind() + ")", "40001");
                }
                // Nothing from here on: the transactions before it commit, the link stops at it.
                gap = new ApplySession.ChainBreak(transaction, verdict, position.applied);
                break;
            }
            if (verdict.kind() == ChainCheck.Kind.SUPERSEDED) {
                log.info("{} skipped transaction {} of {} at position {}: {}, superseded by the {} applied here", logPrefix,
                        transaction.originTxId(), transaction.originNode(), transaction.originPosition(),
                        transaction.chain().identity(), position.applied.identity());
                duplicates++;
                continue;
            }
            if (verdict.kind() == ChainCheck.Kind.DUPLICATE) {
                log.debug("{} skipped duplicate transaction {} of {} at position {} (applied up to {})", logPrefix,
                        transaction.originTxId(), transaction.originNode(), transaction.originPosition(),
                        position.applied.position());
                duplicates++;
                continue;
            }
            if (refused.containsKey(transaction)) {
                toPark.add(transaction);
            } else {
                toApply.add(transaction);
            }
            position.advanceTo(transaction);
            advanced.add(transaction.originNode());
            if (!isProgressReport(transaction) && !refused.containsKey(transaction)) {
                applied++;
            }
            last = transaction;
        }
        return new Filtered(toApply, toPark, advanced, last, gap, applied, duplicates, echoes);
    }

    /** A peer's progress report alone: bookkeeping, not counted as an applied transaction. */
    private static boolean isProgressReport(SourceTransaction transaction) {
        return ControlRecord.onlyOf(transaction, ProgressReport.class);
    }

    private boolean isEcho(SourceTransaction transaction) {
        return transaction.originNode().equals(localNode) || transaction.hasVisited(localNode);
    }
}
