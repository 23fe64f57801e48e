package io.syncline.node.runtime;

import io.syncline.connector.ReceivedTransaction;
import io.syncline.core.event.TransactionChunk;
import java.util.HashMap;
import java.util.Map;

/**
 * Follows the chunks of large transactions through an outbox, record by record: which
 * transaction a chunk continues, where each one starts (the offset of its first chunk, its key),
 * and whether any is half read. Per origin at most one is open: the origin's capture publishes its
 * transactions one after another, and a forwarder that stopped half-way forwards the transaction
 * again from its first chunk. So a first chunk, or a whole transaction, of an origin whose
 * transaction is open abandons the open one; a chunk that continues none is stray. Not
 * thread-safe; keeps a few numbers per origin, never changes.
 */
final class ChunkSequences {

    /** What a record is, for the transaction it belongs to. */
    enum Kind {
        /** A whole transaction. */
        WHOLE,
        /** The first chunk of a large transaction. */
        FIRST,
        /** A later chunk of the open transaction of its origin (the last one included). */
        NEXT,
        /** A chunk that continues no open transaction: the rest of one abandoned or started before. */
        STRAY
    }

    /**
     * @param kind        what the record is
     * @param firstOffset the offset of the first chunk of the record's large transaction; -1 for WHOLE and STRAY
     * @param abandoned   the first offset of a transaction of the same origin this record abandoned half read, or -1
     */
    record Step(Kind kind, long firstOffset, long abandoned) {}

    private record Open(TransactionChunk first, long firstOffset, int next) {}

    private final Map<String, Open> open = new HashMap<>();

    Step accept(ReceivedTransaction record) {
        String origin = record.originNode();
        Open current = open.get(origin);
        TransactionChunk chunk = record.chunk();
        if (chunk == null) {
            open.remove(origin);
            return new Step(Kind.WHOLE, -1, current == null ? -1 : current.firstOffset());
        }
        if (chunk.index() == 0) {
            open.put(origin, new Open(chunk, record.offset(), 1));
            if (chunk.last()) {
                open.remove(origin);
            }
            return new Step(Kind.FIRST, record.offset(), current == null ? -1 : current.firstOffset());
        }
        if (current == null || !current.first().sameTransaction(chunk) || current.next() != chunk.index()) {
            return new Step(Kind.STRAY, -1, -1);
        }
        if (chunk.last()) {
            open.remove(origin);
        } else {
            open.put(origin, new Open(current.first(), current.firstOffset(), current.next() + 1));
        }
        return new Step(Kind.NEXT, current.firstOffset(), -1);
    }

    /** Whether no large transaction is half read: a point where the outbox may be committed up to. */
    boolean idle() {
        return open.isEmpty();
    }

    /** A description of the open transactions, for logs. */
    String describeOpen() {
        StringBuilder out = new StringBuilder();
        open.forEach((origin, o) -> out.append(out.isEmpty() ? "" : ", ").append("transaction ").append(o.first().originTxId())
                .append(" of ").append(origin).append(" from offset ").append(o.firstOffset()).append(" (").append(o.next())
                .append(" chunk(s) read)"));
        return out.toString();
    }
}
