package io.syncline.core.event;

import java.util.Objects;

/**
 * The link of a published transaction to its origin's previous one: each origin's transactions
 * form a chain, so that a reader sees when one is missing instead of skipping past it.
 *
 * @param identity         the origin's identity when it published the transaction
 * @param previousPosition the origin position of the origin's previous published transaction under the same
 *                         identity, or {@link #NONE} for the first one
 */
public record ChainLink(OriginIdentity identity, long previousPosition) {

    /** {@link #previousPosition} of the first transaction an identity publishes. */
    public static final long NONE = -1;

    public ChainLink {
        Objects.requireNonNull(identity, "identity");
        if (previousPosition < NONE) {
            throw new IllegalArgumentException("previousPosition must be -1 (none) or a position: " + previousPosition);
        }
    }

    public boolean first() {
        return previousPosition == NONE;
    }
}
