package io.syncline.connector;

import io.syncline.core.codec.TransactionCodec;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.event.TransactionChunk;

/**
 * A transaction, or a chunk of a large one, read from an upstream node's outbox. Exactly one of
 * {@code transaction} and {@code chunk} is set.
 *
 * @param transaction the decoded transaction, path from the record header; null for a chunk
 * @param chunk       a chunk's identity, index, last flag and position, without its changes (read them with
 *                    {@link #decodeChunk()} when needed, so that a poll of many chunks costs their bytes only);
 *                    null for a whole transaction
 * @param body        the body exactly as the origin encoded it, for forwarding without re-encoding
 * @param offset      the record's offset in the upstream outbox
 */
public record ReceivedTransaction(SourceTransaction transaction, TransactionChunk chunk, byte[] body, long offset) {

    public ReceivedTransaction {
        if ((transaction == null) == (chunk == null)) {
            throw new IllegalArgumentException("a received record is a transaction or a chunk");
        }
    }

    /** A whole transaction. */
    public ReceivedTransaction(SourceTransaction transaction, byte[] body, long offset) {
        this(transaction, null, body, offset);
    }

    public boolean isChunk() {
        return chunk != null;
    }

    /** The chunk with its changes, decoded from the body now. */
    public TransactionChunk decodeChunk() {
        return TransactionCodec.decodeChunk(body, chunk.path());
    }

    /** The origin of the transaction or chunk. */
    public String originNode() {
        return chunk != null ? chunk.originNode() : transaction.originNode();
    }
}
