package io.syncline.conflict;

import io.syncline.core.event.RowMetadata;
import io.syncline.core.event.RowVersion;
import io.syncline.core.spi.RowState;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the local database holds for one key, read under a row lock: the row, else its
 * tombstone, else nothing.
 *
 * @param version  {@code null} for {@link Kind#NONE}
 * @param values   the row's columns as text for {@link Kind#ROW}, otherwise {@code null}
 * @param metadata the row's merge metadata ({@link RowMetadata#EMPTY} unless a row)
 * @param frontier after a conflict: the concurrent versions (at most one per node, none of which saw another)
 *                 this state was resolved from; empty when the state is a single version
 */
public record LocalState(Kind kind, RowVersion version, Map<String, String> values, RowMetadata metadata,
        List<RowState> frontier) {

    public enum Kind {
        NONE,
        ROW,
        TOMBSTONE
    }

    public static final LocalState NONE = new LocalState(Kind.NONE, null, null, RowMetadata.EMPTY, List.of());

    public LocalState {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.NONE) != (version == null)) {
            throw new IllegalArgumentException("a " + kind + " state " + (version == null ? "needs" : "has no") + " a version");
        }
        metadata = metadata == null ? RowMetadata.EMPTY : metadata;
        frontier = frontier == null ? List.of() : List.copyOf(frontier);
    }

    public static LocalState row(RowVersion version, Map<String, String> values) {
        return new LocalState(Kind.ROW, version, values, RowMetadata.EMPTY, List.of());
    }

    public static LocalState row(RowVersion version, Map<String, String> values, RowMetadata metadata) {
        return new LocalState(Kind.ROW, version, values, metadata, List.of());
    }

    public static LocalState tombstone(RowVersion version) {
        return new LocalState(Kind.TOMBSTONE, version, null, RowMetadata.EMPTY, List.of());
    }

    /** The state a resolution left: a row, or a tombstone when {@code resolved} is a delete. */
    public static LocalState resolved(RowState resolved, List<RowState> frontier) {
        return resolved.exists()
                ? new LocalState(Kind.ROW, resolved.version(), resolved.values(), resolved.metadata(), frontier)
                : new LocalState(Kind.TOMBSTONE, resolved.version(), null, RowMetadata.EMPTY, frontier);
    }

    /** The versions this state stands for: its frontier, or itself. Not for {@link Kind#NONE}. */
    public List<RowState> frontierOrSelf() {
        return frontier.isEmpty() ? List.of(asRowState()) : frontier;
    }

    /** This state as one side of a conflict; not for {@link Kind#NONE}. */
    public RowState asRowState() {
        return kind == Kind.ROW ? new RowState(version, values, metadata) : RowState.deleted(version);
    }
}
