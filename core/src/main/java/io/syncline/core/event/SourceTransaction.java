package io.syncline.core.event;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One committed transaction of an origin node: the unit that is published, routed and applied
 * atomically. Transactions of one origin are published in commit order, so
 * {@link #originPosition()} grows strictly along an origin's stream under one identity (see
 * {@link ChainLink}: a rebuilt database or a capture reset starts a new sequence).
 *
 * @param originNode       the node whose database committed the transaction
 * @param originPosition   the commit position in the origin's WAL (end LSN of the commit record); strictly
 *                         increasing per origin, the applier's exactly-once bookkeeping key
 * @param commitTimeMicros the origin's commit time in microseconds since the epoch (for lag, not for ordering)
 * @param originTxId       the transaction id at the origin, for logs
 * @param path             the node ids the transaction passed through, origin first
 * @param changes          the row changes in origin order; never empty
 * @param chain            the link to the origin's previous published transaction; null before the capture
 *                         assigned it, and in bodies of format version 1, which had none
 */
public record SourceTransaction(
        String originNode,
        long originPosition,
        long commitTimeMicros,
        long originTxId,
        List<String> path,
        List<RowChange> changes,
        ChainLink chain) {

    /** A transaction without its chain link yet. */
    public SourceTransaction(String originNode, long originPosition, long commitTimeMicros, long originTxId, List<String> path,
            List<RowChange> changes) {
        this(originNode, originPosition, commitTimeMicros, originTxId, path, changes, null);
    }

    public SourceTransaction {
        Objects.requireNonNull(originNode, "originNode");
        path = List.copyOf(path);
        changes = List.copyOf(changes);
        if (path.isEmpty() || !path.get(0).equals(originNode)) {
            throw new IllegalArgumentException("path must start with the origin " + originNode + ": " + path);
        }
        if (changes.isEmpty()) {
            throw new IllegalArgumentException("a source transaction has at least one change");
        }
    }

    /** The same transaction linked to the origin's previous one. */
    public SourceTransaction withChain(ChainLink link) {
        return new SourceTransaction(originNode, originPosition, commitTimeMicros, originTxId, path, changes, link);
    }

    /** Whether the transaction has already passed through {@code nodeId} (loop prevention). */
    public boolean hasVisited(String nodeId) {
        return path.contains(nodeId);
    }

    /** The same transaction, byte for byte, with {@code nodeId} appended to its path. */
    public SourceTransaction forwardedBy(String nodeId) {
        if (hasVisited(nodeId)) {
            throw new IllegalStateException(nodeId + " is already on the path " + path);
        }
        List<String> longer = new ArrayList<>(path);
        longer.add(nodeId);
        return new SourceTransaction(originNode, originPosition, commitTimeMicros, originTxId, longer, changes, chain);
    }
}
