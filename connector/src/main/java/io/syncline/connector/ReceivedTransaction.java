package io.syncline.connector;

import io.syncline.core.event.SourceTransaction;

/**
 * A transaction read from an upstream node's outbox.
 *
 * @param transaction the decoded transaction, path from the record header
 * @param body        the body exactly as the origin encoded it, for forwarding without re-encoding
 * @param offset      the record's offset in the upstream outbox
 */
public record ReceivedTransaction(SourceTransaction transaction, byte[] body, long offset) {}
