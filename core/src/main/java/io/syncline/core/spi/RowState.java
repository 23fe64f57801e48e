package io.syncline.core.spi;

import io.syncline.core.event.RowMetadata;
import io.syncline.core.event.RowVersion;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One side of a conflict: a version of the row, or of its tombstone.
 *
 * @param version  the version (clock and version vector); never null
 * @param values   every user column as PostgreSQL text (SQL NULL as a {@code null} value), in table order;
 *                 {@code null} when this side is a delete (a tombstone)
 * @param metadata delta counters and column dots of this version, see {@link RowMetadata}
 */
public record RowState(RowVersion version, Map<String, String> values, RowMetadata metadata) {

    public RowState {
        Objects.requireNonNull(version, "version");
        values = values == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(values));
        metadata = metadata == null ? RowMetadata.EMPTY : metadata;
    }

    /** A deleted row: a tombstone with this version. */
    public static RowState deleted(RowVersion version) {
        return new RowState(version, null, RowMetadata.EMPTY);
    }

    public boolean exists() {
        return values != null;
    }
}
