package io.syncline.conflict;

import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowVersion;
import java.util.Map;
import java.util.Objects;

/**
 * Two concurrent versions of one row (neither version vector dominates the other), as handed
 * to a {@link ConflictStrategy}.
 *
 * @param table        schema-qualified table name
 * @param key          primary-key columns of the row as text
 * @param type         local state x remote operation
 * @param localVersion the version of the local row or tombstone
 * @param localRow     the local row's columns as text (SQL NULL = {@code null} value); {@code null} when the
 *                     local state is a tombstone
 * @param remote       the incoming change
 */
public record Conflict(
        String table,
        Map<String, String> key,
        ConflictType type,
        RowVersion localVersion,
        Map<String, String> localRow,
        RowChange remote) {

    public Conflict {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(localVersion, "localVersion");
        Objects.requireNonNull(remote, "remote");
    }

    public RowVersion remoteVersion() {
        return remote.version();
    }
}
