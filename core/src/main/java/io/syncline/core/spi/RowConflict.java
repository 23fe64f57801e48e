package io.syncline.core.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Two concurrent versions of one row (neither version vector dominates the other), as handed to
 * a {@link ConflictResolver}. Every field is the same on every node that resolves this pair,
 * except that {@code local} and {@code remote} swap sides: a resolver must give the same row
 * either way round (see {@link ConflictResolver}).
 *
 * @param table       schema-qualified table name
 * @param key         primary-key columns as text, in key order
 * @param type        local state x remote change
 * @param localNode   the node resolving
 * @param originNode  the node that wrote the remote version
 * @param local       what this node holds
 * @param remote      the incoming version; for an update that did not send some unchanged (TOASTed) values,
 *                    those columns hold the local values
 * @param columnTypes column -> PostgreSQL type as {@code format_type} prints it ({@code integer},
 *                    {@code numeric(20,5)}, {@code timestamp with time zone}, ...), in table order
 */
public record RowConflict(
        String table,
        Map<String, String> key,
        ConflictType type,
        String localNode,
        String originNode,
        RowState local,
        RowState remote,
        Map<String, String> columnTypes) {

    public RowConflict {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(localNode, "localNode");
        Objects.requireNonNull(originNode, "originNode");
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remote, "remote");
        key = Collections.unmodifiableMap(new LinkedHashMap<>(key));
        columnTypes = Collections.unmodifiableMap(new LinkedHashMap<>(columnTypes));
    }

    /** The same conflict seen from the other side (what the origin node resolves). */
    public RowConflict mirrored(ConflictType mirroredType) {
        return new RowConflict(table, key, mirroredType, originNode, localNode, remote, local, columnTypes);
    }
}
