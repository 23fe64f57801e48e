package io.syncline.conflict;

import io.syncline.core.event.RowMetadata;
import io.syncline.core.event.RowVersion;
import io.syncline.core.spi.ConflictType;
import io.syncline.core.spi.RowState;
import java.util.List;
import java.util.Map;

/**
 * What to do with one incoming row change, decided by {@link RowDecider}.
 *
 * @param version      the version to write ({@code null} for {@link Action#SKIP})
 * @param conflictType {@code null} when the change did not conflict
 * @param winner       {@code null} when the change did not conflict
 * @param values       for {@link Action#UPSERT_ROW}: every column to write (a merged row), or {@code null} to write
 *                     the remote change's own values
 * @param metadata     the merge metadata to store with a row ({@link Action#UPSERT_ROW}, {@link Action#KEEP_LOCAL})
 * @param rule         the rule that decided the conflict, for the log; {@code null} without a conflict
 * @param frontier     the concurrent versions the written state was resolved from, to store with it; empty
 *                     when it is a single version
 */
public record RowPlan(Action action, RowVersion version, ConflictType conflictType, Winner winner,
        Map<String, String> values, RowMetadata metadata, String rule, List<RowState> frontier) {

    public enum Action {
        /** Insert the row, or update the local row with the remote (or merged) values. */
        UPSERT_ROW,
        /** Delete the local row and record its tombstone. */
        DELETE_ROW,
        /** There is no local row: record (or replace) the tombstone only. */
        WRITE_TOMBSTONE,
        /** The local row or tombstone won a conflict: keep its values, store the merged version. */
        KEEP_LOCAL,
        /** The remote version is already applied or superseded. */
        SKIP
    }

    public static final RowPlan SKIP = new RowPlan(Action.SKIP, null, null, null, null, RowMetadata.EMPTY, null, List.of());

    public RowPlan {
        metadata = metadata == null ? RowMetadata.EMPTY : metadata;
        frontier = frontier == null ? List.of() : List.copyOf(frontier);
    }

    /** A non-conflicting write of the remote change. */
    static RowPlan write(Action action, RowVersion version, RowMetadata metadata) {
        return new RowPlan(action, version, null, null, null, metadata, null, List.of());
    }

    public boolean isConflict() {
        return conflictType != null;
    }
}
