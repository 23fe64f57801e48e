package io.syncline.core.event;

import java.util.Objects;

/**
 * The last-write-wins order of one row version: a hybrid logical clock reading and the id of
 * the node that wrote the version. Versions are ordered by HLC, ties broken by node id, so
 * that every node picks the same winner on its own.
 *
 * @param hlc    a {@link HybridLogicalClock} value; 0 for rows that existed before replication started
 * @param nodeId the node that wrote the version; empty for rows that existed before replication started
 */
public record RowClock(long hlc, String nodeId) implements Comparable<RowClock> {

    /** The clock of rows that were there before Syncline was installed: older than any write. */
    public static final RowClock ZERO = new RowClock(0, "");

    public RowClock {
        Objects.requireNonNull(nodeId, "nodeId");
    }

    @Override
    public int compareTo(RowClock other) {
        int byHlc = Long.compare(hlc, other.hlc);
        return byHlc != 0 ? byHlc : nodeId.compareTo(other.nodeId);
    }

    public boolean isAfter(RowClock other) {
        return compareTo(other) > 0;
    }

    @Override
    public String toString() {
        return HybridLogicalClock.format(hlc) + "@" + nodeId;
    }
}
