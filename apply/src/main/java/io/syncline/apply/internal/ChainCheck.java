package io.syncline.apply.internal;

import io.syncline.core.event.ChainLink;
import io.syncline.core.event.OriginIdentity;
import io.syncline.core.event.SourceTransaction;

/**
 * Decides, per origin, whether a received transaction continues what this node applied of that
 * origin, repeats it, or breaks the chain (see {@link ChainLink}). Pure logic on the applier's
 * bookkeeping; stateless and thread-safe.
 *
 * <p>A break is: another identity than the one applied (a rebuilt database, a capture reset); a
 * position at or below its own predecessor (the origin's WAL went back); a transaction whose
 * predecessor is not the last one applied (something in between never arrived); or a first
 * transaction of a chain other than the one applied first under this identity (the chain
 * restarted). A transaction at or below the applied position under the same identity that fits
 * the chain is a re-sent or re-read duplicate.
 */
public final class ChainCheck {

    /**
     * What this node applied of one origin.
     *
     * @param identity      the identity of the applied chain; null when none is known (nothing applied, or
     *                      only transactions of format version 1)
     * @param position      the last applied position, -1 for none
     * @param chainStart    the position of the first transaction applied under {@code identity}, -1 for none
     */
    public record Applied(OriginIdentity identity, long position, long chainStart) {

        public static final Applied NOTHING = new Applied(null, -1, -1);

        /** What is applied after {@code tx}, which this check let through. */
        public Applied after(SourceTransaction tx) {
            if (tx.chain() == null) {
                return new Applied(identity, tx.originPosition(), chainStart);
            }
            boolean sameChain = tx.chain().identity().equals(identity) && chainStart >= 0;
            return new Applied(tx.chain().identity(), tx.originPosition(), sameChain ? chainStart : tx.originPosition());
        }
    }

    /** The outcome of a check. */
    public enum Kind {
        APPLY,
        DUPLICATE,
        /**
         * An earlier epoch of the applied identity's database: a chain given up by a capture reset that this
         * node already accepted the successor of (re-read from an older part of an outbox).
         */
        SUPERSEDED,
        /** Another identity than the applied one. */
        NEW_IDENTITY,
        /** The position is at or below the transaction's own predecessor. */
        BACKWARDS,
        /** The predecessor is not the last applied transaction. */
        MISSING_PREDECESSOR,
        /** A first transaction of a chain at another position than the chain applied under this identity. */
        RESTARTED
    }

    /**
     * @param kind     the outcome
     * @param expected the previous position this node expected (its last applied), -1 for none
     * @param found    the transaction's previous position, -1 for none
     */
    public record Verdict(Kind kind, long expected, long found) {

        public boolean isBreak() {
            return kind != Kind.APPLY && kind != Kind.DUPLICATE && kind != Kind.SUPERSEDED;
        }
    }

    private ChainCheck() {}

    public static Verdict check(Applied applied, SourceTransaction tx) {
        ChainLink link = tx.chain();
        long found = link == null ? ChainLink.NONE : link.previousPosition();
        if (link == null) {
            // Format version 1, before the chain: only the applied position is known.
            return verdict(tx.originPosition() <= applied.position() ? Kind.DUPLICATE : Kind.APPLY, applied, found);
        }
        if (applied.identity() == null) {
            if (applied.position() < 0) {
                // Nothing applied of this origin yet: its first transaction here starts the chain.
                return verdict(Kind.APPLY, applied, found);
            }
            // Applied before the chain existed: the first chained transaction continues the last unchained one.
            if (tx.originPosition() <= applied.position()) {
                return verdict(Kind.DUPLICATE, applied, found);
            }
            return verdict(found == applied.position() ? Kind.APPLY : Kind.MISSING_PREDECESSOR, applied, found);
        }
        OriginIdentity identity = link.identity();
        if (identity.systemIdentifier() == applied.identity().systemIdentifier() && identity.epoch() < applied.identity().epoch()) {
            return verdict(Kind.SUPERSEDED, applied, found);
        }
        if (!identity.equals(applied.identity())) {
            return verdict(Kind.NEW_IDENTITY, applied, found);
        }
        if (tx.originPosition() <= found) {
            return verdict(Kind.BACKWARDS, applied, found);
        }
        if (tx.originPosition() <= applied.position()) {
            if (link.first() && tx.originPosition() != applied.chainStart()) {
                return verdict(Kind.RESTARTED, applied, found);
            }
            return verdict(Kind.DUPLICATE, applied, found);
        }
        return verdict(found == applied.position() ? Kind.APPLY : Kind.MISSING_PREDECESSOR, applied, found);
    }

    private static Verdict verdict(Kind kind, Applied applied, long found) {
        return new Verdict(kind, applied.position(), found);
    }
}
