package io.syncline.apply.internal;

import io.syncline.core.event.SourceTransaction;
import io.syncline.core.schema.ReplicationSchema;

/** The operator's account of a {@link ApplySession.ChainBreak}: what broke, where, and what to do. */
public final class ChainBreakMessage {

    private ChainBreakMessage() {}

    public static String of(ApplySession.ChainBreak gap, String prefix, String upstreamNode) {
        SourceTransaction tx = gap.transaction();
        ChainCheck.Applied applied = gap.applied();
        String origin = tx.originNode();
        String what = "transaction " + tx.originTxId() + " of " + origin + " at position " + position(tx.originPosition());
        String reason = switch (gap.verdict().kind()) {
            case MISSING_PREDECESSOR -> what + " follows position " + position(gap.verdict().found())
                    + ", but the last position of " + origin + " applied here is " + position(gap.verdict().expected())
                    + ": the transactions in between never arrived (records deleted from an outbox, an outbox created again)";
            case NEW_IDENTITY -> what + " comes from " + tx.chain().identity() + ", but this node applied " + origin
                    + "'s transactions from " + applied.identity() + " up to position " + position(applied.position())
                    + ": " + origin + "'s database was rebuilt or its capture reset, and what it committed in between may"
                    + " never have been published";
            case BACKWARDS -> what + " is not after its predecessor " + position(gap.verdict().found()) + " (the last position of "
                    + origin + " applied here is " + position(gap.verdict().expected()) + "): " + origin
                    + "'s WAL went back, as in a database restored from a backup";
            case RESTARTED -> what + " starts a new chain of " + tx.chain().identity() + ", but this node applied that chain"
                    + " from position " + position(applied.chainStart()) + " up to " + position(applied.position())
                    + ": " + origin + "'s outbox was emptied or created again";
            default -> throw new IllegalArgumentException("not a break: " + gap.verdict());
        };
        return prefix + " continuity broken, " + reason + ". Nothing of " + origin + " from this transaction on is applied,"
                + " and the link from " + upstreamNode + " stopped (GAP). To recover: bring this node's replicated tables in"
                + " line with " + origin + "'s (re-sync), then accept the new chain with DELETE FROM "
                + ReplicationSchema.APPLIED_POSITION_TABLE + " WHERE origin_node = '" + origin + "' and restart the node"
                + " (docs/continuity.md)";
    }

    /** A WAL position as its number and its {@code pg_lsn} text. */
    static String position(long position) {
        return position < 0 ? "none" : position + " (" + ApplyBookkeeping.lsn(position) + ")";
    }
}
