package io.syncline.node.membership;

import io.syncline.core.event.ChainLink;
import io.syncline.core.event.OriginIdentity;
import java.util.Map;

/**
 * What a copy holds of each origin ({@link SeedPosition}), asked about transactions read from an
 * outbox: whether the joining node still needs one, and whether the first one it needs of an
 * origin directly follows the copy. Pure; immutable and thread-safe.
 *
 * <p>A transaction's chain link tells it, even for a chunk of a large transaction, whose position
 * only its last chunk carries: the transaction right after the copy's position of its origin has
 * that position as predecessor, and every later one a later predecessor.
 */
final class CopyFrontier {

    private final Map<String, SeedPosition> seeds;

    CopyFrontier(Map<String, SeedPosition> seeds) {
        this.seeds = Map.copyOf(seeds);
    }

    /**
     * @param chain    the transaction's chain link, null for format version 1 (no chain: whole transactions only)
     * @param position its position, or {@link io.syncline.core.event.TransactionChunk#UNKNOWN_POSITION} for a chunk
     *                 before the last
     */
    boolean needs(String origin, ChainLink chain, long position) {
        SeedPosition seed = seeds.get(origin);
        if (seed == null) {
            return true;
        }
        if (chain == null) {
            return position < 0 || position > seed.position();
        }
        OriginIdentity identity = chain.identity();
        if (seed.identity() != null) {
            if (identity.systemIdentifier() == seed.identity().systemIdentifier() && identity.epoch() < seed.identity().epoch()) {
                // A chain a capture reset gave up: the copy holds what the origin kept of it.
                return false;
            }
            if (!identity.equals(seed.identity())) {
                return true;
            }
        }
        return chain.previousPosition() >= seed.position();
    }

    /**
     * Why the first needed transaction of {@code origin} does not follow the copy (the transactions in between are
     * missing), or null when it does or cannot be told (no chain).
     */
    String gap(String origin, ChainLink chain) {
        if (chain == null) {
            return null;
        }
        SeedPosition seed = seeds.get(origin);
        long expected = seed == null ? ChainLink.NONE : seed.position();
        boolean otherIdentity = seed != null && seed.identity() != null && !chain.identity().equals(seed.identity());
        if (!otherIdentity && chain.previousPosition() == expected) {
            return null;
        }
        return "the copy holds " + origin + " up to position " + expected
                + (seed == null || seed.identity() == null ? "" : " (" + seed.identity() + ")")
                + ", and its first later transaction follows position " + chain.previousPosition() + " ("
                + chain.identity() + ")";
    }
}
