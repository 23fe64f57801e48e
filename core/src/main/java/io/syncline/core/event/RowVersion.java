package io.syncline.core.event;

import java.util.Objects;

/**
 * The replication metadata of one row version: its version vector (what it has seen, for
 * conflict detection) and its clock (for last-write-wins among concurrent versions).
 */
public record RowVersion(RowClock clock, VersionVector vector) {

    /** The version of rows that were there before replication started. */
    public static final RowVersion INITIAL = new RowVersion(RowClock.ZERO, VersionVector.EMPTY);

    public RowVersion {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(vector, "vector");
    }
}
