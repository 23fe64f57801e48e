package io.syncline.node.membership;

import io.syncline.core.event.OriginIdentity;

/**
 * What a joining node starts with of one origin: the row of {@code syncline.applied_position} it
 * gets before it applies anything, as if it had applied the origin up to {@code position}.
 *
 * @param origin           the origin node
 * @param position         the last origin position the copy holds, -1 for none (the origin's chain is applied from its first
 *                         transaction)
 * @param commitTimeMicros that transaction's commit time, 0 when unknown
 * @param identity         the identity of the origin's chain the position belongs to; null when unknown
 * @param chainStart       the position of the chain's first transaction, -1 when unknown
 */
public record SeedPosition(String origin, long position, long commitTimeMicros, OriginIdentity identity, long chainStart) {}
