package io.syncline.core.event;

/**
 * Why a record read from an upstream outbox was quarantined instead of applied. The name is what
 * {@code syncline.quarantine.reason} holds; {@link #advice()} is what the operator should do.
 */
public enum QuarantineReason {
    /** The body or a header does not decode: not a Syncline record, truncated, or from a newer format. */
    UNDECODABLE("check what else writes to this topic; a newer body format needs this node upgraded"),
    /** A header (origin, position, format, the path's first node) says something else than the body. */
    HEADER_MISMATCH("the record was altered or written by something other than a Syncline node; check who may write"
            + " to this topic"),
    /** The origin is not a node of this node's topology. */
    UNKNOWN_ORIGIN("add the node to topology.nodes on every node if it is a new datacenter; otherwise check who may"
            + " write to this topic"),
    /** The path does not end with the upstream it was read from, repeats a node, or names a node not configured. */
    WRONG_PATH("the record did not come the way the topology sends it; check who may write to this topic"),
    /**
     * A change names a table that this database has and does not replicate. One it does not have at all
     * waits at the applier instead: a peer's schema change may still add it here.
     */
    UNKNOWN_TABLE("configure the table on every node (tables, then syncline init) if it should replicate"),
    /** The origin position is beyond any plausible WAL position, or jumps implausibly far past the one applied. */
    IMPLAUSIBLE_POSITION("check who may write to this topic: no origin publishes such a position");

    private final String advice;

    QuarantineReason(String advice) {
        this.advice = advice;
    }

    /** What the operator should do, one clause. */
    public String advice() {
        return advice;
    }
}
