package io.syncline.conflict.internal;

import io.syncline.conflict.ConflictType;
import io.syncline.conflict.Winner;
import io.syncline.core.event.RowVersion;

/**
 * What to do with one incoming row change, decided by {@link RowDecider}.
 *
 * @param version      the version to write ({@code null} for {@link Action#SKIP})
 * @param conflictType {@code null} when the change did not conflict
 * @param winner       {@code null} when the change did not conflict
 */
public record RowPlan(Action action, RowVersion version, ConflictType conflictType, Winner winner) {

    public enum Action {
        /** Insert the remote row, or update the local row with the remote values. */
        UPSERT_ROW,
        /** Delete the local row and record its tombstone. */
        DELETE_ROW,
        /** There is no local row: record (or replace) the tombstone only. */
        WRITE_TOMBSTONE,
        /** The local row or tombstone won a conflict: keep it, store the merged version vector. */
        KEEP_LOCAL_MERGE_VECTOR,
        /** The remote version is already applied or superseded. */
        SKIP
    }

    public static final RowPlan SKIP = new RowPlan(Action.SKIP, null, null, null);

    public boolean isConflict() {
        return conflictType != null;
    }
}
