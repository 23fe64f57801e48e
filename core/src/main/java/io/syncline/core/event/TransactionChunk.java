package io.syncline.core.event;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One piece of a source transaction too large for one outbox record (docs/large-transactions.md).
 * The capture publishes such a transaction as consecutive chunks, index 0 up, the last one marked;
 * the commit position is known only when the origin's COMMIT is seen, so only the last chunk
 * carries it. The chain link, known from the first change on, is in every chunk, as the
 * transaction's identity (origin, transaction id, link) is.
 *
 * @param originNode       the node whose database committed the transaction
 * @param originTxId       the transaction id at the origin
 * @param commitTimeMicros the origin's commit time in microseconds since the epoch
 * @param chain            the link to the origin's previous published transaction
 * @param index            the chunk's number within its transaction, from 0
 * @param last             whether this chunk ends the transaction
 * @param originPosition   the transaction's commit position in the last chunk; {@link #UNKNOWN_POSITION} in the others
 * @param path             the node ids the chunk passed through, origin first
 * @param changes          the row changes of this chunk in origin order; empty only when decoded without them
 */
public record TransactionChunk(
        String originNode,
        long originTxId,
        long commitTimeMicros,
        ChainLink chain,
        int index,
        boolean last,
        long originPosition,
        List<String> path,
        List<RowChange> changes) {

    /** {@link #originPosition} of every chunk but the last. */
    public static final long UNKNOWN_POSITION = -1;

    public TransactionChunk {
        Objects.requireNonNull(originNode, "originNode");
        Objects.requireNonNull(chain, "chain");
        path = List.copyOf(path);
        changes = List.copyOf(changes);
        if (path.isEmpty() || !path.get(0).equals(originNode)) {
            throw new IllegalArgumentException("path must start with the origin " + originNode + ": " + path);
        }
        if (index < 0) {
            throw new IllegalArgumentException("chunk index must not be negative: " + index);
        }
        if (last != (originPosition != UNKNOWN_POSITION) || originPosition < UNKNOWN_POSITION) {
            throw new IllegalArgumentException("the last chunk, and only the last, carries the position: chunk " + index
                    + (last ? " (last)" : "") + " at " + originPosition);
        }
    }

    /** Whether {@code other} belongs to the same source transaction as this chunk (by origin, id and chain link). */
    public boolean sameTransaction(TransactionChunk other) {
        return originNode.equals(other.originNode) && originTxId == other.originTxId && chain.equals(other.chain);
    }

    /**
     * This chunk's changes as a source transaction at {@code position}, the position its last chunk
     * carries: what the applier checks and applies.
     */
    public SourceTransaction asTransaction(long position) {
        return new SourceTransaction(originNode, position, commitTimeMicros, originTxId, path, changes, chain);
    }

    /** The same chunk, byte for byte, with {@code nodeId} appended to its path. */
    public TransactionChunk forwardedBy(String nodeId) {
        if (path.contains(nodeId)) {
            throw new IllegalStateException(nodeId + " is already on the path " + path);
        }
        List<String> longer = new ArrayList<>(path);
        longer.add(nodeId);
        return new TransactionChunk(originNode, originTxId, commitTimeMicros, chain, index, last, originPosition, longer, changes);
    }
}
