package io.syncline.node.runtime;

import io.syncline.apply.ApplyException;
import io.syncline.apply.RetriableApplyException;
import io.syncline.core.event.SourceTransaction;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Refuses an origin position that jumps implausibly far past what this node knows of the origin,
 * before it can become the applied position (after which every real transaction of the origin
 * would look like a duplicate or a break). The reference is the highest of the origin's applied
 * position here and the positions this link accepted since; the applied position is read again
 * before a transaction is refused, since other links apply the same origin. The continuity
 * check ({@code ChainCheck}) still decides whether an accepted transaction continues its chain.
 * Not thread-safe: one per link thread.
 */
final class PositionHorizon {

    /**
     * How far two consecutive published transactions of an origin can be apart: 1 TiB of WAL
     * without a single replicated commit in between.
     */
    static final long MAX_JUMP = 1L << 40;

    /** The applied position of an origin here, or empty if none. */
    interface AppliedPositions {
        OptionalLong of(String origin) throws ApplyException, RetriableApplyException;
    }

    private final AppliedPositions applied;
    private final Map<String, Long> reference = new HashMap<>();

    PositionHorizon(AppliedPositions applied) {
        this.applied = applied;
    }

    /**
     * Null when {@code tx}'s position is plausible, which also makes it part of the reference;
     * otherwise what is wrong with it. Nothing applied of the origin yet: any position is plausible
     * here (the record validator bounds it absolutely).
     */
    String implausibleJump(SourceTransaction tx) throws ApplyException, RetriableApplyException {
        String origin = tx.originNode();
        Long known = reference.get(origin);
        if (known == null || tx.originPosition() - known > MAX_JUMP) {
            OptionalLong stored = applied.of(origin);
            if (stored.isPresent()) {
                known = known == null ? stored.getAsLong() : Math.max(known, stored.getAsLong());
            }
        }
        if (known != null && tx.originPosition() - known > MAX_JUMP) {
            return "position " + tx.originPosition() + " of " + origin + " is " + (tx.originPosition() - known)
                    + " bytes of WAL past " + known + ", the highest known here (at most " + MAX_JUMP + " are plausible)";
        }
        reference.put(origin, known == null ? tx.originPosition() : Math.max(known, tx.originPosition()));
        return null;
    }
}
